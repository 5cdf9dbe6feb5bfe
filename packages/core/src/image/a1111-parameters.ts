import type { GenerationRecord } from '../pipeline/generation-record.ts';

/** AUTOMATIC1111's sampler labels, so its PNG Info tab and tools that read it recognise our images. */
const SAMPLER_LABELS: Record<string, string> = {
  euler: 'Euler',
  'euler-ancestral': 'Euler a',
  ddim: 'DDIM',
  'dpmpp-2m': 'DPM++ 2M',
  'dpmpp-2m-karras': 'DPM++ 2M Karras',
  lcm: 'LCM',
};

/**
 * The `parameters` text AUTOMATIC1111's web UI writes into its PNGs: the prompt, a `Negative prompt:` line, then one
 * line of `Key: value` pairs.
 */
export function formatA1111Parameters(record: GenerationRecord, seed: number): string {
  const lines = [record.prompt];
  if (record.negativePrompt) lines.push(`Negative prompt: ${record.negativePrompt}`);
  const settings = [
    `Steps: ${record.steps}`,
    `Sampler: ${SAMPLER_LABELS[record.scheduler.name] ?? record.scheduler.name}`,
    `CFG scale: ${record.guidance}`,
    `Seed: ${seed}`,
    `Size: ${record.width}x${record.height}`,
    `Model hash: ${record.model.weightsHash.slice(0, 10)}`,
    `Model: ${record.model.id}`,
    // AUTOMATIC1111's img2img tab writes these two after the model (processing.py, `create_infotext`).
    ...(record.edit ? [`Denoising strength: ${record.edit.strength}`] : []),
    ...(record.edit?.maskBlur ? [`Mask blur: ${record.edit.maskBlur}`] : []),
    // A1111 writes "Clip skip" only when it is not 1.
    ...(record.clipSkip > 1 ? [`Clip skip: ${record.clipSkip}`] : []),
    ...(record.guidanceRescale > 0 ? [`CFG Rescale phi: ${record.guidanceRescale}`] : []),
    `Version: Stipple (onnxruntime ${record.onnxRuntimeVersion})`,
  ];
  lines.push(settings.join(', '));
  return lines.join('\n');
}
