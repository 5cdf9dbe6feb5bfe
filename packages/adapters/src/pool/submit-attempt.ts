import type { Job } from '@stipple/jobs';
import { ProviderError } from '../errors/provider-error.ts';
import type { Clock } from '../spec/clock.ts';
import type { ProviderOptions, SubmitResult } from '../spec/image-provider-v1.ts';
import { timeLimit } from '../transport/time-limit.ts';
import type { DecisionLog } from './decision-log.ts';
import type { PoolEntry } from './pool-entry.ts';

/** Failures that say nothing of a provider's health, so they do not count towards its breaker. */
const NOT_THE_PROVIDERS_FAULT = new Set(['invalid_job', 'unknown_model', 'provider_busy', 'call_aborted']);

export interface AttemptContext {
  clock: Clock;
  decisions: DecisionLog;
  abortSignal?: AbortSignal;
  providerOptions?: ProviderOptions;
}

/**
 * One submit attempt at one provider under its time limit. The breaker hears the verdict, a `Retry-After` is kept,
 * and a failure comes back (not thrown) as a `ProviderError`; errors that are not a provider's (bad options) throw.
 */
export async function submitAttempt(
  entry: PoolEntry,
  job: Job,
  attempt: number,
  context: AttemptContext,
): Promise<SubmitResult | ProviderError> {
  const { clock, decisions } = context;
  if (!entry.breaker.tryAcquire()) {
    decisions.decide('info', 'provider_skipped', job.jobId, {
      providerId: entry.id,
      reason: 'breaker_trial_in_flight',
    });
    return new ProviderError({
      providerId: entry.id,
      code: 'provider_unavailable',
      message: `provider ${entry.id} is half-open with its one trial call in flight`,
      retryable: true,
      neverStarted: true,
    });
  }
  const timeoutMs = entry.attemptTimeoutMs;
  // One line per attempt, when it ends (its outcome, with how long it took): the hot path logs once per placement.
  const startedAt = clock.now();
  const limit = timeLimit(clock, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`), context.abortSignal);
  try {
    const result = await entry.provider.submit({
      job,
      abortSignal: limit.signal,
      providerOptions: context.providerOptions,
    });
    entry.breaker.recordSuccess();
    decisions.breakerChanged(entry, job.jobId);
    const ms = clock.now() - startedAt;
    decisions.decide('info', 'submitted', job.jobId, { providerId: entry.id, state: result.state, attempt, ms });
    return result;
  } catch (error) {
    if (!(error instanceof ProviderError)) {
      entry.breaker.release();
      throw error;
    }
    const failure = context.abortSignal?.aborted ? error : asTimeout(error, entry);
    if (NOT_THE_PROVIDERS_FAULT.has(failure.code)) entry.breaker.release();
    else entry.breaker.recordFailure();
    decisions.breakerChanged(entry, job.jobId);
    if (failure.retryAfterMs !== undefined) entry.notBefore = clock.now() + failure.retryAfterMs;
    const { code, neverStarted, retryAfterMs, message } = failure;
    decisions.decide('warn', 'attempt_failed', job.jobId, {
      providerId: entry.id,
      attempt,
      ms: clock.now() - startedAt,
      timeoutMs,
      code,
      neverStarted,
      retryAfterMs,
      message,
    });
    return failure;
  } finally {
    limit.clear();
  }
}

/** An attempt aborted while the caller's signal was not is one our time limit ended: the provider's timeout. */
function asTimeout(error: ProviderError, entry: PoolEntry): ProviderError {
  if (error.code !== 'call_aborted') return error;
  return new ProviderError({
    providerId: entry.id,
    code: 'provider_timeout',
    message: `provider ${entry.id} did not answer within ${entry.attemptTimeoutMs} ms`,
    retryable: true,
    neverStarted: error.neverStarted,
    cause: error,
  });
}
