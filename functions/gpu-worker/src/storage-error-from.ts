import { StorageError } from '@stipple/jobs';

/** Where a failed storage call was pointed. */
export interface StorageTarget {
  operation: string;
  bucket: string;
  key: string;
}

/** The fields the AWS SDK v3 sets on the errors it throws (service exceptions and network errors alike). */
interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const RETRYABLE_S3_ERROR_NAMES = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable']);

/** Maps an error the AWS SDK threw to a `StorageError` (`@stipple/jobs`) naming the target and the S3 error. */
export function storageErrorFrom(error: unknown, target: StorageTarget): StorageError {
  const sdkError: SdkErrorShape = typeof error === 'object' && error !== null ? error : { message: String(error) };
  const status = sdkError.$metadata?.httpStatusCode;
  const name = sdkError.name ?? 'Error';
  const where = `${target.operation} s3://${target.bucket}/${target.key}`;
  const s3Error = `${sdkError.code ?? name}: ${sdkError.message ?? ''}${status === undefined ? '' : ` (HTTP ${status})`}`;
  const details = { ...target, s3Error: name, httpStatus: status };
  const failure = (retryable: boolean) => ({ cause: error, retryable });

  if (name === 'CredentialsProviderError') {
    return new StorageError('storage_denied', `${where} found no credentials: ${s3Error}`, details, failure(false));
  }
  if (status === undefined) {
    return new StorageError('storage_unreachable', `${where} got no response: ${s3Error}`, details, failure(true));
  }
  if (status === 401 || status === 403) {
    return new StorageError('storage_denied', `${where} was denied: ${s3Error}`, details, failure(false));
  }
  const retryable = status === 429 || status >= 500 || RETRYABLE_S3_ERROR_NAMES.has(name);
  return new StorageError('storage_failed', `${where} failed: ${s3Error}`, details, failure(retryable));
}
