import { StippleError, type StippleErrorOptions } from './stipple-error.ts';

/** Stable codes of `StorageError`, the same whether the worker (AWS SDK) or the edge (fetch) reached the store. */
export type StorageErrorCode =
  /** No HTTP response came back (connection refused or reset, DNS failure, timeout). Retryable. */
  | 'storage_unreachable'
  /** The store refused the credentials or the permission (HTTP 401/403, S3's credential errors), or none were found. */
  | 'storage_denied'
  /** The store answered with another error; retryable for throttling (429, `SlowDown`) and transient errors (5xx). */
  | 'storage_failed'
  /** An object that should be JSON of a known shape (a result manifest) is not. */
  | 'storage_invalid_object'
  /** An object is larger than the read allows (an input image over its limit); nothing past the limit was read. */
  | 'storage_object_too_large'
  /** The user metadata does not fit S3's 2 KB limit even after truncation. */
  | 'storage_metadata_too_large';

export interface StorageErrorOptions extends StippleErrorOptions {
  /**
   * True only when the store provably did not carry the request out (it refused it, or it never left this process),
   * so a write did not happen; false when it may have. Default false.
   */
  neverStarted?: boolean;
}

/**
 * A read or write of an S3-compatible store failed, from the worker or from the edge; `isRetryable` says whether the
 * same call may succeed later.
 */
export class StorageError extends StippleError {
  declare readonly code: StorageErrorCode;
  readonly neverStarted: boolean;

  constructor(
    code: StorageErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    { neverStarted = false, ...options }: StorageErrorOptions = {},
  ) {
    super(code, message, details, options);
    this.neverStarted = neverStarted;
  }
}
