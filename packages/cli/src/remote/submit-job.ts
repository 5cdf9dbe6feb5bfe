import { randomUUID } from 'node:crypto';
import { StippleError } from '@stipple/core';
import { type ApiTarget, apiRequest, type JobView } from './api-client.ts';

/** Waits before the 2nd, 3rd and 4th tries of a submission, milliseconds. */
const RETRY_DELAYS_MS = [500, 1500, 4000];

/**
 * `POST /v1/jobs`, retried when the router cannot be reached, fails on its side (5xx) or is still answering an earlier
 * try (409 `idempotency_request_in_progress`). Every try carries the same `Idempotency-Key`, so the router runs the job
 * once and charges it once however many tries reach it (docs/router.md, "Idempotency-Key").
 */
export async function submitJob(
  target: ApiTarget,
  body: Record<string, unknown>,
  idempotencyKey: string = randomUUID(),
): Promise<JobView> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await apiRequest<JobView>(target, 'POST', '/v1/jobs', {
        body,
        headers: { 'idempotency-key': idempotencyKey },
      });
    } catch (error) {
      const retryable = error instanceof StippleError && error.isRetryable;
      if (!retryable || attempt >= RETRY_DELAYS_MS.length) throw error;
      await new Promise((done) => setTimeout(done, RETRY_DELAYS_MS[attempt]));
    }
  }
}
