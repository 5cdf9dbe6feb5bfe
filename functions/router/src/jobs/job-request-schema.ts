import { GENERATION_LIMITS, MAX_PROMPT_CHARACTERS, OUTPUT_FORMATS, PREVIEW_EVERY, SCHEDULERS } from '@stipple/jobs';
import { z } from 'zod';
import { inputImageSourceSchema } from '../inputs/input-image-source.ts';
import { JOB_WEBHOOK_EVENTS } from '../webhooks/job-webhook-events.ts';

/*
 * The engine's bounds (GENERATION_LIMITS in @stipple/jobs), narrowed where the public API is stricter; the test beside
 * this file checks that every bound here lies within the engine's.
 */
const { width, height, steps, guidance, seed, n, clipSkip, strength, maskBlur } = GENERATION_LIMITS;
/** Smallest image side the API draws, pixels (the engine's is 8). */
export const MIN_IMAGE_SIDE = 64;
/** Most denoising steps per job (the engine's is 1000). */
export const MAX_STEPS_PER_JOB = 150;
/** Most images one job may ask for (the engine batches up to 16). */
export const MAX_IMAGES_PER_JOB = 8;
/** Compute cap per job: width × height × steps × n (a 1024² image at 50 steps, 4 times). */
export const MAX_PIXEL_STEPS = 1024 * 1024 * 50 * 4;
/** A job's total deadline, seconds: default and most. */
export const DEFAULT_JOB_TIMEOUT_SECONDS = 600;
export const MAX_JOB_TIMEOUT_SECONDS = 3600;
/** Presigned URL lifetime bounds, seconds (S3 allows at most 7 days). */
export const URL_TTL_SECONDS = { default: 3600, min: 60, max: 604_800 } as const;

/**
 * `strength` when a job with an `image` leaves it out: diffusers' defaults, 0.8 for image-to-image
 * (`StableDiffusionImg2ImgPipeline`) and 1 for inpainting (`StableDiffusionInpaintPipeline`). The router always sends
 * one, so the price it reserves is for the steps that run.
 */
export const DEFAULT_IMAGE_STRENGTH = 0.8;
export const DEFAULT_INPAINT_STRENGTH = 1;

/** Pixels, 64–2048 in steps of 8 (a model may draw fewer sizes: model-catalogue.ts); the API's wording names the value. */
const side = (engine: { max: number; step: number }) =>
  z.int().min(MIN_IMAGE_SIDE).max(engine.max).multipleOf(engine.step);
/** The allowed sides in words, for messages that are not one field's ("64–2048 in steps of 8"). */
export const IMAGE_SIDES = `${MIN_IMAGE_SIDE}–${width.max} in steps of ${width.step}`;

/** `POST /v1/jobs` (snake_case on the wire, as OpenAI's API is). Undefined fields take the model's defaults. */
export const jobRequestSchema = z.strictObject({
  model: z.string().optional().meta({ description: 'Model id from GET /v1/models; default: the first one.' }),
  prompt: z
    .string()
    .min(1, { error: 'prompt is empty; describe what to draw' })
    .max(MAX_PROMPT_CHARACTERS)
    // A blank prompt would be charged for an image of nothing in particular.
    .refine((prompt) => prompt.trim() !== '', { error: 'prompt is only whitespace; describe what to draw' })
    .meta({ description: 'What to draw.' }),
  negative_prompt: z.string().max(MAX_PROMPT_CHARACTERS).optional().meta({ description: 'What to steer away from.' }),
  width: side(width).optional().meta({ description: "Pixels; default the model's size." }),
  height: side(height).optional().meta({ description: "Pixels; default the model's size." }),
  steps: z
    .int()
    .min(steps.min)
    .max(MAX_STEPS_PER_JOB)
    .optional()
    .meta({ description: "Denoising steps; default the model's." }),
  guidance: z
    .number()
    .min(guidance.min)
    .max(guidance.max)
    .optional()
    .meta({ description: "Classifier-free guidance scale; default the model's." }),
  scheduler: z.enum(SCHEDULERS).optional().meta({ description: "Sampler; default the model's own." }),
  seed: z
    .int()
    .min(seed.min)
    .max(seed.max)
    .optional()
    .meta({ description: 'Seed of the first image (image i uses seed + i); default random, reported back.' }),
  clip_skip: z
    .int()
    .min(clipSkip.min)
    .max(clipSkip.max)
    .optional()
    .meta({
      description:
        'Text-encoder layers to skip from the end, as A1111\'s "Clip skip" (1 = the last layer); SDXL models only ' +
        '(docs/PROMPTS.md).',
    }),
  n: z.int().min(n.min).max(MAX_IMAGES_PER_JOB).default(1).meta({ description: 'Number of images.' }),
  output_format: z.enum(OUTPUT_FORMATS).default('png').meta({ description: 'Image encoding.' }),
  timeout_seconds: z
    .int()
    .min(1)
    .max(MAX_JOB_TIMEOUT_SECONDS)
    .default(DEFAULT_JOB_TIMEOUT_SECONDS)
    .meta({ description: 'Total deadline: a job still running after this many seconds stops and ends `timed_out`.' }),
  start_timeout_seconds: z
    .int()
    .min(1)
    .max(MAX_JOB_TIMEOUT_SECONDS)
    .optional()
    .meta({
      description:
        'Time-to-start deadline: a job no GPU has started after this many seconds ends `aborted`, uncharged. ' +
        'Default: the total deadline (a job waits for a busy or scaling GPU until then).',
    }),
  /** A low-resolution preview with every k-th progress event (and the last); on the job's event stream. */
  preview_every: z
    .int()
    .min(PREVIEW_EVERY.min)
    .max(PREVIEW_EVERY.max)
    .optional()
    .meta({ description: 'A low-resolution preview on the event stream every k steps.' }),
  url_ttl_seconds: z
    .int()
    .min(URL_TTL_SECONDS.min)
    .max(URL_TTL_SECONDS.max)
    .default(URL_TTL_SECONDS.default)
    .meta({ description: 'Lifetime of the presigned output URLs; each GET mints fresh ones.' }),
  image: inputImageSourceSchema('image').optional(),
  mask: inputImageSourceSchema('mask').optional(),
  strength: z
    .number()
    .min(strength.min)
    .max(strength.max)
    .optional()
    .meta({
      description: `With image: how much of the schedule runs over it, 0–1; floor(steps × strength) steps run and are charged. Default ${DEFAULT_IMAGE_STRENGTH}, or ${DEFAULT_INPAINT_STRENGTH} with a mask.`,
    }),
  mask_blur: z
    .int()
    .min(maskBlur.min)
    .max(maskBlur.max)
    .optional()
    .meta({ description: "With mask: blur of the mask's edge, pixels; default the engine's." }),
  preserve_unmasked: z
    .boolean()
    .optional()
    .meta({ description: 'With mask: paste the unmasked pixels of image back exactly over the result.' }),
  webhook: z
    .string()
    .max(2048, { error: 'webhook must be at most 2048 characters' })
    .optional()
    .meta({ description: "An https URL to POST the job's events to, signed per Standard Webhooks (see docs)." }),
  webhook_events_filter: z
    .array(z.enum(JOB_WEBHOOK_EVENTS))
    .min(1, { error: `webhook_events_filter is empty; list some of ${JOB_WEBHOOK_EVENTS.join(', ')}` })
    .optional()
    .meta({ description: `Which events the webhook gets, of ${JOB_WEBHOOK_EVENTS.join(', ')}; default all.` }),
});

export type JobRequest = z.output<typeof jobRequestSchema>;
/** A `POST /v1/jobs` body as a client writes it (defaults may be left out). */
export type JobRequestBody = z.input<typeof jobRequestSchema>;
