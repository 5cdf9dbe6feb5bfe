import { boundedNumber } from '@stipple/jobs';
import { z } from 'zod';

/** One provider's place in the pool. */
export const poolEntrySettingsSchema = z.strictObject({
  /** Lower is tried first (DNS SRV's rule); default 0. */
  priority: boundedNumber('priority', { min: 0, step: 1 }).default(0),
  /** Share of jobs among providers of the same priority; default 1; 0 = only when the others fail. */
  weight: boundedNumber('weight', { min: 0, step: 1 }).default(1),
  /** Model ids routed to this provider. */
  models: z.array(z.string().min(1)).min(1, { error: 'models is empty; list the model ids this provider serves' }),
  /** Time limit of one submit attempt here, in ms; default the pool's `attemptTimeoutMs`. */
  attemptTimeoutMs: boundedNumber('attemptTimeoutMs', { min: 1, step: 1 }).optional(),
});

/** The pool's numbers: breaker, retries, time limits, health checks. */
export const poolSettingsSchema = z.strictObject({
  breaker: z
    .strictObject({
      /** Consecutive failures that open a provider's breaker; default 5. */
      failureThreshold: boundedNumber('breaker.failureThreshold', { min: 1, step: 1 }).default(5),
      /** Milliseconds before an open breaker lets a trial through; default 30000. */
      cooldownMs: boundedNumber('breaker.cooldownMs', { min: 0, step: 1 }).default(30_000),
    })
    .default({ failureThreshold: 5, cooldownMs: 30_000 }),
  retry: z
    .strictObject({
      /** Submit attempts per job, across providers; default 4. */
      maxAttempts: boundedNumber('retry.maxAttempts', { min: 1, step: 1 }).default(4),
      /** First backoff ceiling, ms; default 250. */
      baseDelayMs: boundedNumber('retry.baseDelayMs', { min: 0, step: 1 }).default(250),
      /** Largest backoff, ms; default 10000. A `Retry-After` beyond it ends the submission instead of waiting. */
      maxDelayMs: boundedNumber('retry.maxDelayMs', { min: 0, step: 1 }).default(10_000),
    })
    .default({ maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 10_000 }),
  /** Time limit of one submit attempt, ms; default 15000. */
  attemptTimeoutMs: boundedNumber('attemptTimeoutMs', { min: 1, step: 1 }).default(15_000),
  /** Time limit of one health check, ms; default 5000. */
  healthTimeoutMs: boundedNumber('healthTimeoutMs', { min: 1, step: 1 }).default(5_000),
});

export type PoolEntrySettings = z.input<typeof poolEntrySettingsSchema>;
export type PoolSettings = z.output<typeof poolSettingsSchema>;
