import type { Tensor } from '../backend/model-session.ts';
import { floatTensor } from '../backend/tensor-conversion.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import type { EncodedPrompts } from './encode-prompts.ts';
import { guidanceScaleEmbedding } from './guidance.ts';
import { sdxlTimeIds } from './sdxl-time-ids.ts';

export function repeat(block: Float32Array, times: number): Float32Array {
  const out = new Float32Array(block.length * times);
  for (let i = 0; i < times; i++) out.set(block, i * block.length);
  return out;
}

/** Each text's block repeated once per image, texts in order: [uncond × n, cond × n] under guidance. */
function perImage(blocks: readonly Float32Array[], images: number): Float32Array {
  const out = new Float32Array(blocks.reduce((sum, block) => sum + block.length, 0) * images);
  blocks.forEach((block, i) => {
    out.set(repeat(block, images), i * block.length * images);
  });
  return out;
}

interface ConditioningSettings {
  images: number;
  guidance: number;
  width: number;
  height: number;
}

/**
 * The UNet inputs that stay fixed through the denoising loop: the prompt embeddings, and per family LCM's guidance
 * embedding (`timestep_cond`, w = guidance − 1) or SDXL's `text_embeds` and `time_ids` (see `sdxlTimeIds`).
 */
export function unetConditioning(
  model: StableDiffusionModel,
  prompts: EncodedPrompts,
  settings: ConditioningSettings,
): Record<string, Tensor> {
  const { contract } = model.unet;
  const texts = prompts.hiddenStates.length;
  const batch = texts * settings.images;
  const tokens = prompts.sequenceLength;
  const states = perImage(prompts.hiddenStates, settings.images);
  const feeds: Record<string, Tensor> = {
    encoder_hidden_states: floatTensor(states, contract.encoderHiddenStatesType, [
      batch,
      tokens,
      states.length / (batch * tokens),
    ]),
  };
  if (contract.timestepCondDim !== undefined) {
    const embedding = guidanceScaleEmbedding(settings.guidance - 1, contract.timestepCondDim);
    feeds.timestep_cond = floatTensor(repeat(embedding, batch), contract.timestepCondType ?? 'float32', [
      batch,
      contract.timestepCondDim,
    ]);
  }
  if (contract.textTime && prompts.pooled) {
    const pooled = perImage(prompts.pooled, settings.images);
    feeds.text_embeds = floatTensor(pooled, contract.textTime.textEmbedsType, [batch, pooled.length / batch]);
    // Under guidance the first text is the negative prompt: a refiner gives its rows the negative aesthetic score.
    const rows = texts === 2 ? (['negative', 'positive'] as const) : (['positive'] as const);
    const timeIds = perImage(
      rows.map((row) => sdxlTimeIds(model, settings, row)),
      settings.images,
    );
    feeds.time_ids = floatTensor(timeIds, contract.textTime.timeIdsType, [batch, timeIds.length / batch]);
  }
  return feeds;
}
