import { onnxRuntimeVersion } from '../backend/onnx-session.ts';
import { floatTensor, numericTensor, readFloatTensor } from '../backend/tensor-conversion.ts';
import { AbortError } from '../errors.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import { createBatchGenerator } from '../noise/batch-generator.ts';
import { createGenerator, MAX_SEED, randomSeed } from '../noise/torch-generator.ts';
import { decodeLatents } from './decode-latents.ts';
import { encodePrompts, withZeroNegative } from './encode-prompts.ts';
import type { GenerationResult } from './generation-record.ts';
import { type GenerationRequest, resolveRequest } from './generation-request.ts';
import { applyClassifierFreeGuidance, rescaleGuidance } from './guidance.ts';
import { resolveScheduler } from './resolve-scheduler.ts';
import { StageTimer } from './stage-timer.ts';
import { repeat, unetConditioning } from './unet-conditioning.ts';

export interface GenerationProgress {
  /** Denoising steps finished, 1-based. */
  step: number;
  totalSteps: number;
  /** Milliseconds since the generation started. */
  elapsedMs: number;
}

export interface GenerateOptions {
  /** Called after every denoising step. */
  onProgress?: (progress: GenerationProgress) => void;
  /** Cancels between steps; the promise rejects with an `AbortError` (code `aborted`). */
  signal?: AbortSignal;
}

/** Stops between steps; a caller that aborted with its own `AbortError` (naming the job, say) gets that one back. */
function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof AbortError ? signal.reason : new AbortError();
}

/** Text to images with a loaded model: the denoising loop of diffusers' `StableDiffusionPipeline.__call__`. */
export async function generate(
  model: StableDiffusionModel,
  request: GenerationRequest,
  options: GenerateOptions = {},
): Promise<GenerationResult> {
  const timer = new StageTimer();
  const { signal, onProgress } = options;
  // 1. Check inputs and fill defaults.
  const settings = resolveRequest(request, model);
  const { scheduler, warnings } = resolveScheduler(model, settings.scheduler);
  const { unet } = model;
  const batch = settings.n;
  const usesGuidanceEmbedding = unet.contract.timestepCondDim !== undefined;
  const guided = settings.guidance > 1 && !usesGuidanceEmbedding;
  const firstSeed = settings.seed ?? randomSeed();
  const seeds = Array.from({ length: batch }, (_, i) => (firstSeed + i) % (MAX_SEED + 1));
  throwIfAborted(signal);

  // 2. Encode the prompt (and the negative prompt for classifier-free guidance) in one text-encoder batch.
  const zeroNegative = guided && settings.negativePrompt === undefined && model.forceZerosForEmptyPrompt;
  const texts = [{ field: 'prompt', text: settings.prompt }];
  if (guided && !zeroNegative) texts.unshift({ field: 'negative_prompt', text: settings.negativePrompt ?? '' });
  const encoded = await encodePrompts(model, texts, timer);
  for (const { field, droppedTokens } of encoded.truncations) {
    warnings.push(
      `${field} is longer than the model's ${model.tokenizer.maxLength}-token window; the last ${droppedTokens} tokens were dropped`,
    );
  }
  const unetBatch = guided ? batch * 2 : batch;
  const conditioning = unetConditioning(model, zeroNegative ? withZeroNegative(encoded) : encoded, {
    images: batch,
    guidance: settings.guidance,
    width: settings.width,
    height: settings.height,
  });

  // 3. Prepare timesteps.
  timer.measure('schedulerMs', () => scheduler.setTimesteps(settings.steps));

  // 4. Prepare latents: each image's noise from its own seed, scaled to the scheduler's initial sigma.
  const factor = model.vaeDecoder.spatialFactor;
  const latentDims = [unet.latentChannels, settings.height / factor, settings.width / factor];
  const generator = createBatchGenerator(seeds.map(createGenerator));
  const noise = generator.randn(batch * latentDims[0] * latentDims[1] * latentDims[2]);
  const initNoiseSigma = scheduler.initNoiseSigma;
  let latents: Float32Array = noise.map((value) => value * initNoiseSigma);

  // 5. Denoising loop.
  const timesteps = scheduler.timesteps;
  for (const [index, t] of timesteps.entries()) {
    throwIfAborted(signal);
    const modelInput = timer.measure('schedulerMs', () =>
      scheduler.scaleModelInput(guided ? repeat(latents, 2) : latents, t),
    );
    const timestep = unet.contract.timestepIsScalar
      ? numericTensor([t], unet.contract.timestepType, [])
      : numericTensor(new Array(unetBatch).fill(t), unet.contract.timestepType, [unetBatch]);
    const outputs = await timer.run('unetMs', unet.session, {
      sample: floatTensor(modelInput, unet.contract.sampleType, [unetBatch, ...latentDims]),
      timestep,
      ...conditioning,
    });
    const prediction = timer.measure('unetMs', () => {
      const raw = readFloatTensor(outputs[unet.contract.outputName]);
      if (!guided) return raw;
      const guidedPrediction = applyClassifierFreeGuidance(raw, settings.guidance);
      if (settings.guidanceRescale > 0) {
        rescaleGuidance(guidedPrediction, raw.subarray(raw.length / 2), batch, settings.guidanceRescale);
      }
      return guidedPrediction;
    });
    latents = timer.measure('schedulerMs', () => scheduler.step(prediction, t, latents, generator).prevSample);
    onProgress?.({ step: index + 1, totalSteps: timesteps.length, elapsedMs: timer.elapsedMs() });
  }

  // 6. Decode each image's latents to pixels.
  const perImage = latents.length / batch;
  const images = [];
  for (const [i, seed] of seeds.entries()) {
    throwIfAborted(signal);
    const slice = latents.subarray(i * perImage, (i + 1) * perImage);
    const pixels = await decodeLatents(model, slice, latentDims, settings, timer);
    images.push({ pixels, width: settings.width, height: settings.height, seed });
  }

  return {
    images,
    record: {
      model: { id: model.id, family: model.family.family, weightsHash: model.weightsHash },
      prompt: settings.prompt,
      negativePrompt: guided ? (settings.negativePrompt ?? '') : '',
      width: settings.width,
      height: settings.height,
      steps: settings.steps,
      guidance: settings.guidance,
      guidanceRescale: settings.guidanceRescale,
      scheduler: { name: scheduler.name, className: scheduler.className, config: { ...scheduler.config } },
      seeds,
      onnxRuntimeVersion,
      executionProviders: [...model.executionProviders],
      warnings,
      timings: timer.finish(),
    },
  };
}
