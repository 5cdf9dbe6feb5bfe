import { StippleError } from '@stipple/core';

/** Stable codes of `StorageError`. */
export type StorageErrorCode =
  /** No HTTP response came back (connection refused or reset, DNS failure, timeout). Retryable. */
  | 'storage_unreachable'
  /** The store refused the credentials or the permission (HTTP 401/403), or no credentials were found. */
  | 'storage_denied'
  /** The store answered with another error; retryable for throttling (429, `SlowDown`) and 5xx. */
  | 'storage_failed'
  /** The user metadata does not fit S3's 2 KB limit even after truncation. */
  | 'storage_metadata_too_large';

/** Where a failed storage call was pointed. */
export interface StorageTarget {
  operation: string;
  bucket: string;
  key: string;
}

/** A read or write of the result store failed; `isRetryable` says whether the same call may succeed later. */
export class StorageError extends StippleError {
  declare readonly code: StorageErrorCode;
  readonly isRetryable: boolean;

  constructor(
    code: StorageErrorCode,
    message: string,
    isRetryable: boolean,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
    this.isRetryable = isRetryable;
  }
}

/** The fields the AWS SDK v3 sets on the errors it throws (service exceptions and network errors alike). */
interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const RETRYABLE_S3_ERROR_NAMES = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable']);

/** Maps an error the AWS SDK threw to a `StorageError` naming the target and the S3 error. */
export function storageErrorFrom(error: unknown, target: StorageTarget): StorageError {
  const sdkError: SdkErrorShape = typeof error === 'object' && error !== null ? error : { message: String(error) };
  const status = sdkError.$metadata?.httpStatusCode;
  const name = sdkError.name ?? 'Error';
  const where = `${target.operation} s3://${target.bucket}/${target.key}`;
  const s3Error = `${sdkError.code ?? name}: ${sdkError.message ?? ''}${status === undefined ? '' : ` (HTTP ${status})`}`;
  const details = { ...target, s3Error: name, httpStatus: status };
  const options = { cause: error };

  if (name === 'CredentialsProviderError') {
    return new StorageError('storage_denied', `${where} found no credentials: ${s3Error}`, false, details, options);
  }
  if (status === undefined) {
    return new StorageError('storage_unreachable', `${where} got no response: ${s3Error}`, true, details, options);
  }
  if (status === 401 || status === 403) {
    return new StorageError('storage_denied', `${where} was denied: ${s3Error}`, false, details, options);
  }
  const isRetryable = status === 429 || status >= 500 || RETRYABLE_S3_ERROR_NAMES.has(name);
  return new StorageError('storage_failed', `${where} failed: ${s3Error}`, isRetryable, details, options);
}
