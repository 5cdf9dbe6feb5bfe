import { AdapterError } from './adapter-error.ts';
import type { ProviderError } from './provider-error.ts';

/** The pool could not place a job; the job never started anywhere. */
export class PoolError extends AdapterError {
  declare readonly code: 'no_provider' | 'providers_exhausted';
  /** When to try again, in milliseconds, when known (the soonest a provider is expected back). */
  readonly retryAfterMs: number | undefined;
  /** Each attempt's failure, in order. */
  readonly failures: readonly ProviderError[];

  constructor(
    code: PoolError['code'],
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; failures?: ProviderError[]; jobId: string },
  ) {
    super(
      code,
      message,
      { jobId: options.jobId, retryAfterMs: options.retryAfterMs },
      { retryable: options.retryable },
    );
    this.retryAfterMs = options.retryAfterMs;
    this.failures = options.failures ?? [];
  }
}
