import { z } from 'zod';
import { contentFilterSchema } from './content-filter-schema.ts';
import type { Job, OutputFormat } from './job-schema.ts';

const FILE_EXTENSIONS: Record<OutputFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };
const CONTENT_TYPES = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const satisfies Record<
  OutputFormat,
  string
>;

/** The MIME type of an output format. */
export function contentTypeFor(format: OutputFormat): (typeof CONTENT_TYPES)[OutputFormat] {
  return CONTENT_TYPES[format];
}

function jobFolder(job: Pick<Job, 'tenantId' | 'jobId' | 'output'>): string {
  const prefix = job.output.keyPrefix.replace(/\/$/, '');
  return [prefix, job.tenantId, job.jobId].filter((part) => part !== '').join('/');
}

/** Object key of image `index` (0-based): `${keyPrefix}/${tenantId}/${jobId}/${index}.${ext}`. */
export function resultKey(job: Pick<Job, 'tenantId' | 'jobId' | 'output'>, index: number): string {
  return `${jobFolder(job)}/${index}.${FILE_EXTENSIONS[job.output.format]}`;
}

/** Object key of the result manifest, written last: `${keyPrefix}/${tenantId}/${jobId}/result.json`. */
export function manifestKey(job: Pick<Job, 'tenantId' | 'jobId' | 'output'>): string {
  return `${jobFolder(job)}/result.json`;
}

const nonNegativeInteger = z.number().int().min(0);

/**
 * What the worker writes to `manifestKey(job)` after every image is stored, so its presence means the job succeeded
 * and every listed output exists.
 */
export const resultManifestSchema = z.strictObject({
  jobId: z.string(),
  tenantId: z.string(),
  modelId: z.string(),
  status: z.literal('succeeded'),
  outputs: z.array(
    z.strictObject({
      /** Object key, `resultKey(job, index)`. */
      key: z.string(),
      contentType: z.enum(['image/png', 'image/jpeg', 'image/webp']),
      /** Seed that produced this image. */
      seed: nonNegativeInteger,
      /** Size of the stored object in bytes. */
      bytes: nonNegativeInteger,
      /** The image's safety result (absent from workers older than issue 19). */
      contentFilter: contentFilterSchema.optional(),
    }),
  ),
  /**
   * Images the safety checker flagged under `safety.images: block`: not stored, not among `outputs`, not charged.
   * `index` is the image's place in the request (0-based), as `resultKey` would have numbered it.
   */
  blocked: z
    .array(z.strictObject({ index: nonNegativeInteger, seed: nonNegativeInteger, contentFilter: contentFilterSchema }))
    .optional(),
  /** Engine records (per-step timings, warnings); opaque to this contract. */
  records: z.array(z.unknown()),
  timings: z.strictObject({
    /** Milliseconds from the job's acceptance to the worker starting it. */
    queuedMs: z.number().min(0),
    /** Milliseconds from acceptance to the manifest write. */
    totalMs: z.number().min(0),
  }),
  /** ISO 8601 date-time at which the manifest was written. */
  createdAt: z.iso.datetime({ offset: true }),
});

export type ResultManifest = z.infer<typeof resultManifestSchema>;
