import { DEFAULT_JOB_TIMEOUT_SECONDS, type JobRequest, URL_TTL_SECONDS } from '../jobs/job-request-schema.ts';
import type { ImageEditRequest, ImageVariationRequest } from './image-form-schemas.ts';
import type { ImageGenerationRequest } from './image-generation-schema.ts';

/**
 * A variation's `strength` when the request names none: 0.6 of the schedule runs over the image, so its layout and
 * colours stay and its details change (diffusers' image-to-image default, 0.8, mostly redraws a small model's image).
 */
export const VARIATION_STRENGTH = 0.6;
/**
 * A variation's prompt when the request names none: the empty prompt, written as one space because a job's prompt has
 * at least one character. CLIP's tokenizer drops whitespace, so the text encoder sees only its start and end tokens,
 * as for diffusers' `prompt=""`: the image alone steers.
 */
export const VARIATION_PROMPT = ' ';

type SharedFields = Pick<
  ImageGenerationRequest,
  'model' | 'negative_prompt' | 'size' | 'steps' | 'guidance' | 'scheduler' | 'seed' | 'n' | 'output_format'
>;

/** The job fields every OpenAI image request sets alike; the ignored OpenAI fields and `user` go no further. */
function sharedJobFields(request: SharedFields): Omit<JobRequest, 'prompt'> {
  return {
    model: request.model,
    negative_prompt: request.negative_prompt,
    width: request.size?.width,
    height: request.size?.height,
    steps: request.steps,
    guidance: request.guidance,
    scheduler: request.scheduler,
    seed: request.seed,
    n: request.n,
    output_format: request.output_format,
    // OpenAI's image URLs are valid for 60 minutes.
    url_ttl_seconds: URL_TTL_SECONDS.default,
    timeout_seconds: DEFAULT_JOB_TIMEOUT_SECONDS,
  };
}

/** An OpenAI image generation as a job. */
export function imageJobRequest(request: ImageGenerationRequest): JobRequest {
  return { ...sharedJobFields(request), prompt: request.prompt };
}

/**
 * An OpenAI edit as a job: inpainting with the mask (already converted to white = repaint), or image-to-image over the
 * whole image without one; `strength` defaults as in `POST /v1/jobs`.
 */
export function imageEditJobRequest(
  request: ImageEditRequest,
  image: Uint8Array<ArrayBuffer>,
  mask: Uint8Array<ArrayBuffer> | undefined,
): JobRequest {
  return {
    ...sharedJobFields(request),
    prompt: request.prompt,
    image: { kind: 'inline', bytes: image },
    ...(mask && { mask: { kind: 'inline', bytes: mask } }),
    strength: request.strength,
    mask_blur: request.mask_blur,
    preserve_unmasked: request.preserve_unmasked,
  };
}

/** An OpenAI variation as a job: image-to-image at `VARIATION_STRENGTH` with the empty prompt, unless told otherwise. */
export function imageVariationJobRequest(request: ImageVariationRequest, image: Uint8Array<ArrayBuffer>): JobRequest {
  return {
    ...sharedJobFields(request),
    prompt: request.prompt ?? VARIATION_PROMPT,
    image: { kind: 'inline', bytes: image },
    strength: request.strength ?? VARIATION_STRENGTH,
  };
}
