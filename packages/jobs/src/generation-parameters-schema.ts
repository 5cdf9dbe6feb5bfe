import { z } from 'zod';
import { boundedNumber, boundedString, describeValue } from './field-rules.ts';
import { GENERATION_LIMITS, MAX_PROMPT_CHARACTERS, SCHEDULERS } from './generation-limits.ts';

const { width, height, steps, guidance, guidanceRescale, seed, n } = GENERATION_LIMITS;

/**
 * What to generate. Every field but `prompt` is optional: undefined means the model's default, so adapters pass
 * fields through rather than inventing values. Bounds: `GENERATION_LIMITS`.
 */
export const generationParametersSchema = z.strictObject({
  /** Text to generate from, 1–2000 characters. */
  prompt: boundedString('prompt', 1, MAX_PROMPT_CHARACTERS),
  /** What to steer away from (classifier-free guidance's unconditional branch), up to 2000 characters. */
  negativePrompt: boundedString('negativePrompt', 0, MAX_PROMPT_CHARACTERS).optional(),
  /** Image width in pixels, 8–2048, a multiple of 8 (the VAE downsamples by 8). */
  width: boundedNumber('width', width).optional(),
  /** Image height in pixels, 8–2048, a multiple of 8. */
  height: boundedNumber('height', height).optional(),
  /** Denoising steps, 1–1000. */
  steps: boundedNumber('steps', steps).optional(),
  /** Classifier-free guidance scale, 0–50. */
  guidance: boundedNumber('guidance', guidance).optional(),
  /** Guidance rescale φ, 0–1 (Lin et al. 2023, "Common Diffusion Noise Schedules…", §3.4). */
  guidanceRescale: boundedNumber('guidanceRescale', guidanceRescale).optional(),
  /** Scheduler algorithm. */
  scheduler: z
    .enum(SCHEDULERS, {
      error: (issue) => `scheduler ${describeValue(issue.input)} is not supported; use one of ${SCHEDULERS.join(', ')}`,
    })
    .optional(),
  /** Seed of the first image, 0–4294967295; Undefined = the worker picks one. */
  seed: boundedNumber('seed', seed).optional(),
  /** Number of images, 1–16. */
  n: boundedNumber('n', n).optional(),
});

export type GenerationParameters = z.infer<typeof generationParametersSchema>;
