import { z } from 'zod';
import { jobSafetySchema } from './content-filter-schema.ts';
import { boundedNumber, describeValue, identifier } from './field-rules.ts';
import type { NumberRange } from './generation-limits.ts';
import { generationParametersSchema } from './generation-parameters-schema.ts';

export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Bucket naming rules: AWS S3 User Guide, "General purpose bucket naming rules". */
const BUCKET_NAME = /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_PREFIX_CHARACTERS = 512;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

/** Where the worker writes images and the result manifest. */
export const jobOutputSchema = z.strictObject({
  /** S3 bucket: 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit. */
  bucket: z.string().regex(BUCKET_NAME, {
    error: (issue) =>
      `bucket ${describeValue(issue.input)} is not a valid S3 bucket name; use 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`,
  }),
  /** Key prefix under which results go; may be empty. No leading slash, no empty or `..` segments, ≤ 512 characters. */
  keyPrefix: z.string().superRefine((prefix, context) => {
    const segments = prefix.replace(/\/$/, '').split('/');
    let problem: string | undefined;
    if (prefix.length > MAX_KEY_PREFIX_CHARACTERS) problem = `is ${prefix.length} characters; use at most 512`;
    else if (prefix.startsWith('/')) problem = 'starts with a slash; use a relative prefix such as "images/prod"';
    else if (segments.includes('..')) problem = 'contains a ".." segment; use plain path segments';
    else if (prefix !== '' && segments.includes('')) problem = 'contains an empty segment ("//"); use single slashes';
    if (problem)
      context.addIssue({ code: 'custom', input: prefix, message: `keyPrefix ${describeValue(prefix)} ${problem}` });
  }),
  /** Image encoding; default `png`. */
  format: z
    .enum(OUTPUT_FORMATS, {
      error: (issue) =>
        `format ${describeValue(issue.input)} is not supported; use one of ${OUTPUT_FORMATS.join(', ')}`,
    })
    .default('png'),
});

/** Where the worker reports progress; each callback is signed with `token` (see request-signature.ts). */
export const progressCallbackSchema = z.strictObject({
  /** Callback URL: https, or http for localhost/127.0.0.1 only (tests). */
  url: z.string().superRefine((url, context) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    const allowed = parsed?.protocol === 'https:' || (parsed?.protocol === 'http:' && LOCAL_HOSTS.has(parsed.hostname));
    if (!allowed)
      context.addIssue({
        code: 'custom',
        input: url,
        message: `progress.url ${describeValue(url)} is not allowed; use an https URL (http only for localhost or 127.0.0.1)`,
      });
  }),
  /** HMAC secret for signing callbacks, at least 16 characters. */
  token: z.string().min(16, {
    error: (issue) => `progress.token is ${String(issue.input).length} characters; use at least 16`,
  }),
});

/** How often a job may ask for a low-resolution preview: every k-th step, k in this range. */
export const PREVIEW_EVERY = { min: 1, max: 1000, step: 1 } as const satisfies NumberRange;

const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const ID_CHARSET = '1–128 characters of A–Z, a–z, 0–9, "_" and "-"';

/** One text-to-image job, as the router hands it to a provider and the provider to the gpu-worker. */
export const jobSchema = z.strictObject({
  /** Unique per tenant; part of every result key. */
  jobId: identifier('jobId', ID_PATTERN, ID_CHARSET),
  tenantId: identifier('tenantId', ID_PATTERN, ID_CHARSET),
  /** Model to run, e.g. `sd-turbo`. */
  modelId: identifier('modelId', /^[a-z0-9._-]{1,128}$/, '1–128 characters of a–z, 0–9, ".", "_" and "-"'),
  parameters: generationParametersSchema,
  output: jobOutputSchema,
  progress: progressCallbackSchema.optional(),
  /**
   * Low-resolution previews (a latent-to-RGB approximation, 1/8 of the final size) with every k-th progress event and
   * the last, `PREVIEW_EVERY` (1–1000). Omitted: no previews.
   */
  previewEvery: boundedNumber('previewEvery', PREVIEW_EVERY).optional(),
  /** Image safety (issue 19): whether the worker runs the model's safety checker, and what a flagged image means. */
  safety: jobSafetySchema.optional(),
  /** ISO 8601 date-time after which the worker should abandon the job. */
  deadline: z.iso
    .datetime({
      offset: true,
      error: (issue) =>
        `deadline ${describeValue(issue.input)} is not an ISO 8601 date-time; use e.g. "2030-01-01T00:00:00Z"`,
    })
    .optional(),
});

/** A parsed job: defaults applied (`output.format`). */
export type Job = z.output<typeof jobSchema>;
/** A job as a client may send it (`output.format` optional). */
export type JobInput = z.input<typeof jobSchema>;
export type JobOutput = z.output<typeof jobOutputSchema>;
export type ProgressCallback = z.output<typeof progressCallbackSchema>;
