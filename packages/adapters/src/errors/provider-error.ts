import { AdapterError } from './adapter-error.ts';

/** Stable codes of `ProviderError`. */
export type ProviderErrorCode =
  /** No HTTP response came back (connection refused or reset, DNS failure). */
  | 'provider_unreachable'
  /** The call ran past its time limit before an answer came back. */
  | 'provider_timeout'
  /** The caller's `AbortSignal` ended the call. */
  | 'call_aborted'
  /** The provider is at capacity (HTTP 429); see `retryAfterMs`. */
  | 'provider_busy'
  /** The provider cannot take jobs now (shutting down, scaling, a model not ready). */
  | 'provider_unavailable'
  /** The provider refused our credentials or signature. */
  | 'provider_unauthorized'
  /** The provider refused the job itself; every provider would. */
  | 'invalid_job'
  /** The provider does not serve the job's model. */
  | 'unknown_model'
  /** Any other failure, or an answer this adapter does not understand. */
  | 'provider_failed';

export interface ProviderErrorOptions {
  /** The provider instance (`ImageProviderV1.id`) that failed. */
  providerId: string;
  code: ProviderErrorCode;
  message: string;
  /** Whether the same call may succeed later (`StippleError.isRetryable`). */
  retryable: boolean;
  /**
   * True only when the job provably never started: the request was refused, or never left this process, before the
   * provider accepted it. Only then may a router resubmit the job elsewhere without risking it running twice.
   */
  neverStarted: boolean;
  /** How long the provider asked us to wait before retrying, in milliseconds (`Retry-After`). */
  retryAfterMs?: number;
  /** The provider's HTTP status, when one came back. */
  httpStatus?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** A provider call failed; `isRetryable` and `neverStarted` tell a router whether to retry and where. */
export class ProviderError extends AdapterError {
  declare readonly code: ProviderErrorCode;
  readonly providerId: string;
  readonly neverStarted: boolean;
  readonly retryAfterMs: number | undefined;
  readonly httpStatus: number | undefined;

  constructor(options: ProviderErrorOptions) {
    const { providerId, code, message, httpStatus, retryAfterMs, retryable, cause } = options;
    super(code, message, { providerId, httpStatus, retryAfterMs, ...options.details }, { cause, retryable });
    this.providerId = providerId;
    this.neverStarted = options.neverStarted;
    this.retryAfterMs = retryAfterMs;
    this.httpStatus = httpStatus;
  }
}
