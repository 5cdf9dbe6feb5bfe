import { z } from 'zod';
import { boundedNumber, boundedString, describeValue } from './field-rules.ts';
import { GENERATION_LIMITS, MAX_PROMPT_CHARACTERS, SCHEDULERS } from './generation-limits.ts';

const { width, height, steps, guidance, guidanceRescale, seed, n, clipSkip, strength, maskBlur } = GENERATION_LIMITS;

/**
 * An input image (image-to-image, inpainting) the worker reads from the job's output bucket: `key` is the object's key
 * there (the router stores inputs under the tenant's prefix), `sha256` its content's digest in lowercase hex, which the
 * worker checks before use and the generation record names.
 */
export const inputImageSchema = z.strictObject({
  key: boundedString('key', 1, 1024),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, {
    error: (issue) => `sha256 ${describeValue(issue.input)} is not a SHA-256 digest; use 64 lowercase hex digits`,
  }),
});
export type InputImage = z.infer<typeof inputImageSchema>;

/**
 * What to generate. Every field but `prompt` is optional: undefined means the model's default, so adapters pass
 * fields through rather than inventing values. Bounds: `GENERATION_LIMITS`.
 */
export const generationParametersSchema = z
  .strictObject({
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
        error: (issue) =>
          `scheduler ${describeValue(issue.input)} is not supported; use one of ${SCHEDULERS.join(', ')}`,
      })
      .optional(),
    /** Seed of the first image, 0–4294967295; Undefined = the worker picks one. */
    seed: boundedNumber('seed', seed).optional(),
    /** Number of images, 1–16. */
    n: boundedNumber('n', n).optional(),
    /** Text-encoder layers to skip from the end, 1–12 (A1111's "Clip skip"; 1 = the last layer, the default). */
    clipSkip: boundedNumber('clipSkip', clipSkip).optional(),
    /** Image-to-image / inpainting: the image to start from (PNG, JPEG or WebP). */
    image: inputImageSchema.optional(),
    /** Inpainting: white (or opaque, for an RGBA mask read as OpenAI's convention by the router) = repaint. Needs `image`. */
    mask: inputImageSchema.optional(),
    /** How much of the schedule runs over `image`, 0–1. Needs `image`. */
    strength: boundedNumber('strength', strength).optional(),
    /** Blur of the mask's edge in pixels, 0–64. Needs `mask`. */
    maskBlur: boundedNumber('maskBlur', maskBlur).optional(),
    /** Inpainting: paste the unmasked pixels of `image` back exactly over the result. Needs `mask`. */
    preserveUnmasked: z.boolean().optional(),
  })
  .superRefine((parameters, context) => {
    const needs = (field: string, present: boolean, on: 'image' | 'mask') => {
      if (present && parameters[on] === undefined)
        context.addIssue({
          code: 'custom',
          path: [field],
          input: undefined,
          message: `${field} needs ${on}; send ${on} too or leave ${field} out`,
        });
    };
    needs('mask', parameters.mask !== undefined, 'image');
    needs('strength', parameters.strength !== undefined, 'image');
    needs('maskBlur', parameters.maskBlur !== undefined, 'mask');
    needs('preserveUnmasked', parameters.preserveUnmasked !== undefined, 'mask');
  });

export type GenerationParameters = z.infer<typeof generationParametersSchema>;
