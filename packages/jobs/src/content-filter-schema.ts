import { z } from 'zod';
import { describeValue } from './field-rules.ts';

/**
 * What happens to an image a safety checker flags: `off` (not checked), `flag` (checked and reported) or `block`
 * (checked; a flagged image is not stored and not charged).
 */
export const IMAGE_SAFETY_MODES = ['off', 'flag', 'block'] as const;
export type ImageSafetyMode = (typeof IMAGE_SAFETY_MODES)[number];

/** The job's image-safety instruction to the worker; the router sets it from the tenant's policy. */
export const jobSafetySchema = z.strictObject({
  images: z.enum(IMAGE_SAFETY_MODES, {
    error: (issue) =>
      `safety.images ${describeValue(issue.input)} is not a mode; use one of ${IMAGE_SAFETY_MODES.join(', ')}`,
  }),
});
export type JobSafety = z.infer<typeof jobSafetySchema>;

/**
 * One image's safety result. `checked: false` means no checker ran (the model has none, or the mode is `off`): never
 * read it as "safe". `scores`: per concept the checker's margin over its threshold (diffusers'
 * `StableDiffusionSafetyChecker`: concept_i and special_i; flagged when any is above 0).
 */
export const contentFilterSchema = z.strictObject({
  checked: z.boolean(),
  flagged: z.boolean(),
  /** What checked it, e.g. `safety_checker` (the model folder's), absent when nothing did. */
  checkedBy: z.string().optional(),
  scores: z.record(z.string(), z.number()).optional(),
});
export type ContentFilter = z.infer<typeof contentFilterSchema>;
