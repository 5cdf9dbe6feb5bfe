import { GENERATION_LIMITS } from '@stipple/jobs';
import { ValidationError } from '../errors.ts';
import { editSize, type ImageSize } from '../image/fit-image.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import { checkRange } from './check-range.ts';
import { type ResolvedEdit, resolveEdit } from './resolve-edit.ts';

const GENERATION_MAX_SIZE = { width: GENERATION_LIMITS.width.max, height: GENERATION_LIMITS.height.max };

/** What a caller asks for. Every field but `prompt` is optional; the model supplies the defaults. */
export interface GenerationRequest {
  prompt: string;
  /** What to steer away from; the unconditional half of classifier-free guidance. Default: empty. */
  negativePrompt?: string;
  /** Pixels; a multiple of the VAE's spatial factor (8 for SD). Default: the model's native size (512 for SD 1.5). */
  width?: number;
  height?: number;
  /** Denoising steps, 1–1000. Default: the model's (`stipple.json`), else its family's (25 for SD, 4 for LCM). */
  steps?: number;
  /** Classifier-free guidance scale, 0–50; ≤ 1 skips the unconditional pass. Default: the family's (7.5 for SD). */
  guidance?: number;
  /** diffusers' `guidance_rescale` φ, 0–1 (Lin et al. 2023, §3.4). Default 0. */
  guidanceRescale?: number;
  /** A scheduler name (`euler`, `ddim`, …) or diffusers class. Default: the one the model ships. */
  scheduler?: string;
  /** Seed of the first image, 0–4294967295; image i uses seed + i. Default: drawn at random and reported. */
  seed?: number;
  /** Number of images, generated as one batch, 1–16. Default 1. */
  n?: number;
  /**
   * Text-encoder layers skipped from the end, 1–12, as A1111's "Clip skip": 1 reads the encoder's usual output, 2 the
   * layer before it. Needs an export with per-layer `hidden_states.N` outputs (SDXL's). Default 1.
   */
  clipSkip?: number;
  /**
   * Image-to-image and inpainting: the file (PNG, JPEG or WebP, at most `MAX_INPUT_IMAGE_BYTES` and
   * `MAX_INPUT_IMAGE_SIDE` pixels a side) to start from. Width and height default to its size rounded down to the VAE
   * factor; another size is covered and centre-cropped (see `editSize`, `fitImage`). Needs a model with a VAE encoder;
   * an SDXL refiner (`requiresAestheticsScore`) needs it on every request (`image_required`).
   */
  image?: Uint8Array;
  /** Inpainting: a file of the image's size, read as luminance; white (≥ 50 % grey) repaints, black keeps. */
  mask?: Uint8Array;
  /**
   * How much of the schedule runs over `image`, 0–1: the last `floor(steps × strength)` steps, at least 1 (diffusers'
   * `strength`). Default 0.8 for image-to-image (diffusers' `StableDiffusionImg2ImgPipeline`; 0.3 with an SDXL
   * model, base or refiner, `StableDiffusionXLImg2ImgPipeline`'s), 1 for inpainting (`StableDiffusionInpaintPipeline`:
   * the masked region starts from pure noise). See `DEFAULT_STRENGTH`.
   */
  strength?: number;
  /** Inpainting: blur of the mask, the Gaussian's standard deviation in pixels, 0–64. Default 0 (a hard edge). */
  maskBlur?: number;
  /**
   * Inpainting: paste the image's unmasked pixels back over the result through the (blurred) mask, so what the mask
   * keeps comes back exactly rather than through the VAE (diffusers' `apply_overlay`). Default true.
   */
  preserveUnmasked?: boolean;
}

/** A side in pixels: a multiple of the model's VAE factor (its own smallest size), up to the engine's largest. */
function checkSize(field: 'width' | 'height', value: number, factor: number): number {
  const { max } = GENERATION_LIMITS[field];
  if (Number.isInteger(value) && value >= factor && value <= max && value % factor === 0) return value;
  throw new ValidationError(
    `invalid_${field}`,
    `${field} ${value} is not allowed; use ${factor}–${max} in steps of ${factor}`,
    { field, value, min: factor, max, multipleOf: factor },
  );
}

function checkText(field: string, value: unknown): string {
  if (typeof value === 'string') return value;
  throw new ValidationError(`invalid_${field}`, `${field} must be a string, found ${typeof value}`, { field });
}

/** A request with every default applied and every value checked. */
export type ResolvedRequest = Required<
  Omit<
    GenerationRequest,
    'seed' | 'scheduler' | 'negativePrompt' | 'image' | 'mask' | 'strength' | 'maskBlur' | 'preserveUnmasked'
  >
> & {
  /** Undefined when not given: SDXL then uses zero embeddings rather than encoding "". */
  negativePrompt: string | undefined;
  seed: number | undefined;
  scheduler: string | undefined;
  /** Undefined for text-to-image. */
  edit: ResolvedEdit | undefined;
};

/**
 * Checks a request and fills its defaults. `imageSize`, the decoded input image's size, gives an edit request its
 * default width and height; without it (before decoding) they are checked only when given.
 */
export function resolveRequest(
  request: GenerationRequest,
  model: StableDiffusionModel,
  imageSize?: ImageSize,
): ResolvedRequest {
  const factor = model.vaeDecoder.spatialFactor;
  const { defaults } = model;
  const { steps, guidance, guidanceRescale, n, seed, clipSkip } = GENERATION_LIMITS;
  const edit = resolveEdit(request, model);
  const size =
    edit && imageSize
      ? editSize(imageSize, { width: request.width, height: request.height }, factor, GENERATION_MAX_SIZE)
      : { width: request.width ?? model.defaultSize.width, height: request.height ?? model.defaultSize.height };
  return {
    prompt: checkText('prompt', request.prompt),
    negativePrompt:
      request.negativePrompt === undefined ? undefined : checkText('negative_prompt', request.negativePrompt),
    width: checkSize('width', size.width, factor),
    height: checkSize('height', size.height, factor),
    steps: checkRange('steps', request.steps ?? defaults.steps, steps),
    guidance: checkRange('guidance', request.guidance ?? defaults.guidance, guidance),
    guidanceRescale: checkRange('guidance_rescale', request.guidanceRescale ?? 0, guidanceRescale),
    n: checkRange('n', request.n ?? 1, n),
    clipSkip: checkRange('clip_skip', request.clipSkip ?? 1, clipSkip),
    seed: request.seed === undefined ? undefined : checkRange('seed', request.seed, seed),
    scheduler: request.scheduler,
    edit,
  };
}
