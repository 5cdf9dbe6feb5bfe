import { z } from 'zod';
import { boundedNumber, boundedString, describeValue } from './field-rules.ts';

/** Scheduler names, one per diffusers scheduler the engine implements. */
export const SCHEDULERS = ['euler', 'euler-ancestral', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'] as const;

export const MAX_PROMPT_CHARACTERS = 2000;
export const MAX_SEED = 4_294_967_295;

/**
 * What to generate. Every field but `prompt` is optional: undefined means the model's default, so adapters pass
 * fields through rather than inventing values.
 */
export const generationParametersSchema = z.strictObject({
  /** Text to generate from, 1–2000 characters. */
  prompt: boundedString('prompt', 1, MAX_PROMPT_CHARACTERS),
  /** What to steer away from (classifier-free guidance's unconditional branch), up to 2000 characters. */
  negativePrompt: boundedString('negativePrompt', 0, MAX_PROMPT_CHARACTERS).optional(),
  /** Image width in pixels, 8–2048, a multiple of 8 (the VAE downsamples by 8). */
  width: boundedNumber('width', 8, 2048, 8).optional(),
  /** Image height in pixels, 8–2048, a multiple of 8. */
  height: boundedNumber('height', 8, 2048, 8).optional(),
  /** Denoising steps, 1–1000. */
  steps: boundedNumber('steps', 1, 1000, 1).optional(),
  /** Classifier-free guidance scale, 0–50. */
  guidance: boundedNumber('guidance', 0, 50).optional(),
  /** Guidance rescale φ, 0–1 (Lin et al. 2023, "Common Diffusion Noise Schedules…", §3.4). */
  guidanceRescale: boundedNumber('guidanceRescale', 0, 1).optional(),
  /** Scheduler algorithm. */
  scheduler: z
    .enum(SCHEDULERS, {
      error: (issue) => `scheduler ${describeValue(issue.input)} is not supported; use one of ${SCHEDULERS.join(', ')}`,
    })
    .optional(),
  /** Seed of the first image, 0–4294967295; Undefined = the worker picks one. */
  seed: boundedNumber('seed', 0, MAX_SEED, 1).optional(),
  /** Number of images, 1–16. */
  n: boundedNumber('n', 1, 16, 1).optional(),
});

export type GenerationParameters = z.infer<typeof generationParametersSchema>;
export type Scheduler = (typeof SCHEDULERS)[number];
