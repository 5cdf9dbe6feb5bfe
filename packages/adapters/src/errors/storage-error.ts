import { AdapterError } from './adapter-error.ts';

/** Stable codes of `EdgeStorageError`, the same as the gpu-worker's storage errors where they overlap. */
export type EdgeStorageErrorCode =
  /** No HTTP response came back. Retryable. */
  | 'storage_unreachable'
  /** The store refused the credentials or the permission (HTTP 401/403). */
  | 'storage_denied'
  /** The store answered with another error; retryable for 429 and 5xx. */
  | 'storage_failed'
  /** An object that should be JSON of a known shape (a result manifest) is not. */
  | 'storage_invalid_object';

/** A read or write of an S3-compatible store failed; `isRetryable` says whether the same call may succeed later. */
export class EdgeStorageError extends AdapterError {
  declare readonly code: EdgeStorageErrorCode;
  readonly isRetryable: boolean;

  constructor(
    code: EdgeStorageErrorCode,
    message: string,
    isRetryable: boolean,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
    this.isRetryable = isRetryable;
  }
}
