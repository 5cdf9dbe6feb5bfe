import { join } from 'node:path';
import { ModelError } from '../errors.ts';
import type { TextEncoderContract, UnetContract } from './component-contract.ts';

/** What a folder's text encoders and `model_index.json` promise the UNet. */
export interface ConditioningLayout {
  /** The text encoders' folder names and contracts, in the order their hidden states are joined. */
  textEncoders: readonly { name: string; contract: TextEncoderContract }[];
  /** SDXL: the folder has `text_encoder_2`, whose pooled `text_embeds` conditions the UNet. */
  xl: boolean;
  /** `model_index.json`'s `requires_aesthetics_score` (SDXL's refiner): 5 time ids rather than 6. */
  requiresAestheticsScore: boolean;
}

/**
 * `time_ids` values per row (diffusers' `StableDiffusionXLImg2ImgPipeline._get_add_time_ids`): original size, crop
 * top-left and target size (6), or with `requires_aesthetics_score` the aesthetic score in place of the target size (5).
 */
export function timeIdsWidth(requiresAestheticsScore: boolean): number {
  return requiresAestheticsScore ? 5 : 6;
}

function mismatch(file: string, input: string, message: string, expected: unknown, found: unknown): ModelError {
  return new ModelError('model_contract_mismatch', `${file} ${message}`, { file, input, expected, found });
}

/** The UNet's conditioning inputs must match what the text encoders produce and what `model_index.json` says. */
export function checkConditioningAgrees(dir: string, layout: ConditioningLayout, unet: UnetContract): void {
  const { textEncoders, xl } = layout;
  const file = join(dir, 'unet', 'model.onnx');
  const widths = textEncoders.map((encoder) => encoder.contract.hiddenSize);
  const total = widths.every((width) => width !== undefined)
    ? widths.reduce((sum, width) => sum! + width!, 0)
    : undefined;
  const { crossAttentionDim } = unet;
  if (total !== undefined && crossAttentionDim !== undefined && total !== crossAttentionDim) {
    const found = `${crossAttentionDim} wide but the text encoders produce ${widths.join(' + ')}`;
    throw mismatch(
      file,
      'encoder_hidden_states',
      `input "encoder_hidden_states" is ${found}`,
      total,
      crossAttentionDim,
    );
  }
  if (unet.textTime && !xl) {
    throw new ModelError(
      'model_file_missing',
      `${file} takes SDXL conditioning (text_embeds, time_ids) but ${join(dir, 'text_encoder_2')} is missing`,
      { path: join(dir, 'text_encoder_2') },
    );
  }
  if (xl && !unet.textTime) {
    throw mismatch(
      file,
      'text_embeds',
      'has no SDXL inputs text_embeds and time_ids, yet the model has text_encoder_2',
      'text_embeds, time_ids',
      'neither',
    );
  }
  const pooled = textEncoders.at(-1)?.contract.pooledOutput;
  if (xl && pooled === undefined) {
    const encoderFile = join(dir, 'text_encoder_2', 'model.onnx');
    throw mismatch(
      encoderFile,
      'text_embeds',
      'has no "text_embeds" output (the pooled projection SDXL conditions on)',
      'text_embeds',
      'none',
    );
  }
  checkTimeIds(dir, layout.requiresAestheticsScore, unet);
}

/** A declared `time_ids` width must be the one `requires_aesthetics_score` gives, as diffusers checks it at run time. */
function checkTimeIds(dir: string, requiresAestheticsScore: boolean, unet: UnetContract): void {
  const found = unet.textTime?.timeIdsWidth;
  const expected = timeIdsWidth(requiresAestheticsScore);
  if (found === undefined || found === expected) return;
  const file = join(dir, 'unet', 'model.onnx');
  const key = `${join(dir, 'model_index.json')} ${requiresAestheticsScore ? 'sets' : 'does not set'} requires_aesthetics_score`;
  const fix = requiresAestheticsScore
    ? 'remove "requires_aesthetics_score" (an SDXL base UNet takes original size, crop and target size)'
    : 'set "requires_aesthetics_score": true (an SDXL refiner UNet takes original size, crop and aesthetic score)';
  throw mismatch(
    file,
    'time_ids',
    `input "time_ids" is [batch, ${found}] but ${key}, which gives ${expected} time ids; ${fix}`,
    expected,
    found,
  );
}
