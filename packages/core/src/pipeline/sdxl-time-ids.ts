import type { StableDiffusionModel } from '../model/load-model.ts';
import type { GenerationRecord } from './generation-record.ts';

/**
 * The aesthetic scores an SDXL refiner is conditioned on: the prompt's rows get 6, the negative prompt's 2.5, the
 * defaults of diffusers' `StableDiffusionXLImg2ImgPipeline.__call__` and `StableDiffusionXLInpaintPipeline.__call__`.
 */
export const AESTHETIC_SCORES = { positive: 6, negative: 2.5 } as const;

/**
 * One row of SDXL's micro-conditioning `time_ids` (diffusers' `_get_add_time_ids`, with original size = target size =
 * the generation size and crop top-left (0, 0), as the pipelines default them): `[height, width, 0, 0, height,
 * width]`, or for a model with `requires_aesthetics_score` (the refiner) `[height, width, 0, 0, aesthetic score]`,
 * the negative rows with the negative score.
 */
export function sdxlTimeIds(
  model: StableDiffusionModel,
  size: { width: number; height: number },
  rows: 'positive' | 'negative',
): Float32Array {
  const { width, height } = size;
  if (model.requiresAestheticsScore) return Float32Array.from([height, width, 0, 0, AESTHETIC_SCORES[rows]]);
  return Float32Array.from([height, width, 0, 0, height, width]);
}

/** The record's aesthetic scores: none but for a refiner, the negative one only when guidance ran the negative rows. */
export function aestheticScoreRecord(
  model: StableDiffusionModel,
  guided: boolean,
): Pick<GenerationRecord, 'aestheticScore' | 'negativeAestheticScore'> {
  if (!model.requiresAestheticsScore) return {};
  const { positive, negative } = AESTHETIC_SCORES;
  return guided ? { aestheticScore: positive, negativeAestheticScore: negative } : { aestheticScore: positive };
}
