import { ValidationError } from '../errors.ts';
import type { TextEncoderContract } from '../model/component-contract.ts';

/**
 * Which text-encoder output a clip skip reads. `clipSkip` counts layers from the last, as A1111's "Clip skip" setting:
 * 1 reads the encoder's usual output, 2 the layer before it, and so on; diffusers' `clip_skip` is this minus 1.
 *
 * - SDXL (`penultimate` contracts) already reads `hidden_states[-2]`; clip skip k reads `hidden_states[-(k + 1)]`
 *   without a final layer norm, as diffusers' `StableDiffusionXLPipeline.encode_prompt` (`hidden_states[-(clip_skip +
 *   2)]`). A1111 ignores clip skip for SDXL unless its `sdxl_clip_l_skip` option is set.
 * - SD 1.x/2.x read `last_hidden_state`, which is `final_layer_norm(hidden_states[-1])`; clip skip k reads
 *   `final_layer_norm(hidden_states[-k])` (A1111's `encode_with_transformers`, diffusers' `encode_prompt`). Optimum's
 *   exports of these models neither output the per-layer hidden states nor expose the layer norm's weights, so the
 *   engine refuses clip skip there.
 * @throws ValidationError `clip_skip_unsupported` naming the model and its outputs, or `invalid_clip_skip` when the
 *   encoder has fewer layers than the skip asks for.
 */
export function clipSkipOutput(contract: TextEncoderContract, clipSkip: number, where: string): string {
  if (clipSkip === 1) return contract.hiddenStatesOutput;
  const layers = contract.layerOutputs;
  if (!contract.penultimate) {
    const found = layers.length > 0 ? 'per-layer outputs but no final layer norm weights' : 'no per-layer outputs';
    throw new ValidationError(
      'clip_skip_unsupported',
      `clip skip ${clipSkip} is not supported by ${where}: it needs the layer before the last with the encoder's final layer norm, and the export has ${found}; use clip skip 1 (the default) or an SDXL model`,
      { field: 'clip_skip', value: clipSkip, model: where },
    );
  }
  // As diffusers, the deepest skip reads hidden_states.0, the token embeddings before any layer.
  const index = layers.length - 1 - clipSkip;
  if (index >= 0) return layers[index];
  const max = layers.length - 1;
  throw new ValidationError(
    'invalid_clip_skip',
    `clip skip ${clipSkip} is out of range for ${where}, whose text encoder has ${layers.length - 1} layers after its embeddings; use 1–${max}`,
    { field: 'clip_skip', value: clipSkip, min: 1, max },
  );
}
