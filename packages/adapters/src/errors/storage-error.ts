import { AdapterError } from './adapter-error.ts';

/** Stable codes of `EdgeStorageError`, the same as the gpu-worker's storage errors where they overlap. */
export type EdgeStorageErrorCode =
  /** No HTTP response came back. Retryable. */
  | 'storage_unreachable'
  /** The store refused the credentials or the permission (HTTP 401/403, or S3's credential errors). */
  | 'storage_denied'
  /** The store answered with another error; retryable for throttling and transient errors. */
  | 'storage_failed'
  /** An object that should be JSON of a known shape (a result manifest) is not. */
  | 'storage_invalid_object';

export interface EdgeStorageErrorOptions {
  cause?: unknown;
  /**
   * True only when the store provably did not carry the request out (it refused it, or it never left this process),
   * so a write did not happen; false when it may have. Default false.
   */
  neverStarted?: boolean;
}

/** A read or write of an S3-compatible store failed; `isRetryable` says whether the same call may succeed later. */
export class EdgeStorageError extends AdapterError {
  declare readonly code: EdgeStorageErrorCode;
  readonly isRetryable: boolean;
  readonly neverStarted: boolean;

  constructor(
    code: EdgeStorageErrorCode,
    message: string,
    isRetryable: boolean,
    details: Record<string, unknown> = {},
    options: EdgeStorageErrorOptions = {},
  ) {
    super(code, message, details, 'cause' in options ? { cause: options.cause } : undefined);
    this.isRetryable = isRetryable;
    this.neverStarted = options.neverStarted ?? false;
  }
}
