import type { S3Location } from '../aws/s3-location.ts';
import { EdgeStorageError } from '../errors/storage-error.ts';

/** What a storage call was doing, for messages: `GET s3://results/a/b.json`. */
export function describeCall(operation: string, { bucket, key }: S3Location): string {
  return `${operation} s3://${bucket}/${key}`;
}

/** A fetch that threw: the store never answered. */
export function unreachable(operation: string, location: S3Location, error: unknown): EdgeStorageError {
  const reason = error instanceof Error ? error.message : String(error);
  return new EdgeStorageError(
    'storage_unreachable',
    `${describeCall(operation, location)} got no response: ${reason}`,
    true,
    { ...location, operation },
    { cause: error },
  );
}

/** An error answer: S3's XML `<Error><Code>` names it (Amazon S3 API Reference, "Error responses"). */
export async function storageFailure(
  operation: string,
  location: S3Location,
  response: Response,
): Promise<EdgeStorageError> {
  const body = await response.text();
  const s3Code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? 'UnknownError';
  const where = describeCall(operation, location);
  const details = { ...location, operation, httpStatus: response.status, s3Code };
  if (response.status === 401 || response.status === 403) {
    return new EdgeStorageError(
      'storage_denied',
      `${where} was denied: ${s3Code} (HTTP ${response.status})`,
      false,
      details,
    );
  }
  const isRetryable = response.status === 429 || response.status >= 500 || s3Code === 'SlowDown';
  return new EdgeStorageError(
    'storage_failed',
    `${where} failed: ${s3Code} (HTTP ${response.status})`,
    isRetryable,
    details,
  );
}
