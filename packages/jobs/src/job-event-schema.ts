import { z } from 'zod';
import { resultManifestSchema } from './result-manifest-schema.ts';

/**
 * What a gpu-worker reports about a job to the job's callback URL (`job.progress.url`), each request signed with the
 * job's callback token (request-signature.ts). Events flow forward: `started` once a GPU slot begins the job, `running`
 * after denoising steps (the latest only, when steps finish faster than the receiver answers), then one terminal event.
 * `succeeded` is sent only after the result manifest is durably written, and carries it.
 */
const eventBase = {
  jobId: z.string().min(1),
  tenantId: z.string().min(1),
  /** When the worker produced the event, ms since the epoch (lets a receiver measure relay delay and staleness). */
  emittedAt: z.number().optional(),
};

const progressFields = {
  step: z.number().int().min(0),
  totalSteps: z.number().int().min(1),
  elapsedMs: z.number().min(0),
  etaMs: z.number().min(0),
  preview: z
    .strictObject({ width: z.number().int(), height: z.number().int(), images: z.array(z.string()) })
    .optional(),
};

export const jobEventSchema = z.discriminatedUnion('status', [
  z.strictObject({ ...eventBase, status: z.literal('started') }),
  z.strictObject({ ...eventBase, status: z.literal('running'), ...progressFields }),
  z.strictObject({
    ...eventBase,
    status: z.literal('succeeded'),
    manifestKey: z.string(),
    manifest: resultManifestSchema,
  }),
  z.strictObject({
    ...eventBase,
    status: z.literal('failed'),
    code: z.string(),
    message: z.string(),
    /**
     * True when the job never produced a result and may run again elsewhere as it is (the worker was draining on
     * SIGTERM): the receiver places it again rather than ending it.
     */
    retryable: z.boolean().default(false),
  }),
]);

export type JobEvent = z.output<typeof jobEventSchema>;
export type JobEventInput = z.input<typeof jobEventSchema>;

/** The error code of a job a draining worker handed back unfinished (retryable: place it again). */
export const WORKER_SHUTTING_DOWN = 'worker_shutting_down';

/**
 * The error code of a job stopped because someone asked (`DELETE /v1/jobs/:id`, or a sync caller who hung up): the
 * worker's 409 answer and `failed` event carry it, and the receiver ends the job `canceled`, not failed. Spelled as the
 * public API spells the status.
 */
export const JOB_CANCELED = 'canceled';
