import { boundedNumber } from '@stipple/jobs';
import { z } from 'zod';

/** Settings of an `http` provider: where the gpu-worker is and how to sign for it. */
export const httpProviderSettingsSchema = z.strictObject({
  /** This instance's name in a pool and in logs; default `http`. */
  id: z.string().min(1).default('http'),
  /** The worker's base URL, e.g. `https://gpu.internal:8080`. */
  url: z.url({
    error: (issue) => `url ${JSON.stringify(issue.input)} is not a URL; use e.g. "https://gpu.example.com"`,
  }),
  /** The worker's `WORKER_SECRET`, at least 16 characters. */
  secret: z.string().min(16, {
    error: (issue) => `secret is ${String(issue.input).length} characters; use the worker secret (at least 16)`,
  }),
  /**
   * A header some platforms require in front of the worker: RunPod's `Authorization: Bearer <api key>`, Cloud Run's
   * identity token. Sent with every request.
   */
  providerToken: z
    .strictObject({ header: z.string().min(1).default('authorization'), value: z.string().min(1) })
    .optional(),
  /** Images one batch generates at most: the worker's `MAX_BATCH_IMAGES`; default 1. */
  maxBatch: boundedNumber('maxBatch', { min: 1, step: 1 }).default(1),
});

export type HttpProviderSettingsInput = z.input<typeof httpProviderSettingsSchema>;
export type HttpProviderSettings = z.output<typeof httpProviderSettingsSchema>;
