/**
 * An allowed range of numbers. `step`: values are integer multiples of it (1 = any integer); absent, any number.
 * `max` absent: no upper bound.
 */
export interface NumberRange {
  readonly min: number;
  readonly max?: number;
  readonly step?: number;
}

/** Scheduler names, one per diffusers scheduler the engine implements. */
export const SCHEDULERS = ['euler', 'euler-ancestral', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'] as const;
export type Scheduler = (typeof SCHEDULERS)[number];

/** Longest prompt or negative prompt, characters. */
export const MAX_PROMPT_CHARACTERS = 2000;
/** Largest input image or mask (`image`, `mask`), bytes of its PNG/JPEG/WebP file. */
export const MAX_INPUT_IMAGE_BYTES = 20 * 1024 * 1024;
/** Largest input image side the engine decodes, pixels (a bigger image is refused, not silently shrunk). */
export const MAX_INPUT_IMAGE_SIDE = 4096;
/** Largest seed: PyTorch's CPU generator keeps only the low 32 bits, so larger seeds would alias smaller ones. */
export const MAX_SEED = 4_294_967_295;

/**
 * What the engine accepts, the one declaration of each bound: the job contract validates with it, the engine checks
 * with it, and the router's public API narrows it (functions/router/src/jobs/job-request-schema.ts).
 */
export const GENERATION_LIMITS = {
  /** Pixels, a multiple of 8 (the VAE downsamples by 8; a model's own factor may be larger). */
  width: { min: 8, max: 2048, step: 8 },
  height: { min: 8, max: 2048, step: 8 },
  /** Denoising steps. */
  steps: { min: 1, max: 1000, step: 1 },
  /** Classifier-free guidance scale; ≤ 1 skips the unconditional pass. */
  guidance: { min: 0, max: 50 },
  /** Guidance rescale φ (Lin et al. 2023, "Common Diffusion Noise Schedules…", §3.4). */
  guidanceRescale: { min: 0, max: 1 },
  /** Seed of the first image; image i uses seed + i. */
  seed: { min: 0, max: MAX_SEED, step: 1 },
  /** Images per request, generated as one batch. */
  n: { min: 1, max: 16, step: 1 },
  /**
   * Text-encoder layers skipped from the end, as A1111's "Clip skip" (1 = the last layer, 2 = the penultimate;
   * diffusers' `clip_skip` is this minus 1). 12 is the depth of SD 1.x's CLIP ViT-L/14 text encoder and A1111's
   * slider's end; a model with fewer layers refuses more.
   */
  clipSkip: { min: 1, max: 12, step: 1 },
  /**
   * Image-to-image and inpainting: how much of the schedule runs over the input image (diffusers' `strength`); 1 starts
   * from pure noise, 0 returns the input. The steps run are `floor(steps × strength)` (at least 1).
   */
  strength: { min: 0, max: 1 },
  /** Inpainting: Gaussian blur of the mask's edge, in pixels (0 = a hard edge). */
  maskBlur: { min: 0, max: 64, step: 1 },
} as const satisfies Record<string, NumberRange>;
