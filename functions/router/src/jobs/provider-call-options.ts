import type { ProviderOptions } from '@stipple/adapters';
import type { JobRecord } from './job-record.ts';
import { startDeadline, totalDeadline } from './job-timing.ts';

/** SageMaker's ranges for InvokeEndpointAsync's `RequestTTLSeconds` and `InvocationTimeoutSeconds` (seconds). */
const REQUEST_TTL_SECONDS = { min: 60, max: 21_600 };
const INVOCATION_TIMEOUT_SECONDS = { min: 1, max: 3_600 };

function secondsUntil(deadlineMs: number, now: number, range: { min: number; max: number }): number | undefined {
  if (!Number.isFinite(deadlineMs)) return undefined;
  return Math.min(range.max, Math.max(range.min, Math.ceil((deadlineMs - now) / 1000)));
}

/**
 * Per-call provider options for placing a job: its deadlines become SageMaker's own limits, so a request still in
 * SageMaker's queue at the job's start deadline is dropped there (not run for nobody), and SageMaker stops waiting for
 * the container at the total deadline (SageMaker Runtime API Reference, InvokeEndpointAsync). Other providers ignore
 * options that are not under their own key.
 */
export function providerCallOptions(record: JobRecord, now: number): ProviderOptions {
  const requestTtlSeconds = secondsUntil(startDeadline(record), now, REQUEST_TTL_SECONDS);
  const invocationTimeoutSeconds = secondsUntil(totalDeadline(record), now, INVOCATION_TIMEOUT_SECONDS);
  return {
    'sagemaker-async': {
      ...(requestTtlSeconds !== undefined && { requestTtlSeconds }),
      ...(invocationTimeoutSeconds !== undefined && { invocationTimeoutSeconds }),
    },
  };
}
