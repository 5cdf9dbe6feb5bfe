import { StorageError } from '@stipple/jobs';
import { isRetryableAwsError } from '../aws/aws-retry-classification.ts';
import type { S3Location } from '../aws/s3-location.ts';
import { neverConnected } from '../transport/call-failure.ts';
import { s3ErrorMeaning } from './s3-error-codes.ts';

/** What a storage call was doing, for messages: `GET s3://results/a/b.json`. */
export function describeCall(operation: string, { bucket, key }: S3Location): string {
  return `${operation} s3://${bucket}/${key}`;
}

/** A fetch that threw: the store never answered; the request provably never left only when no connection was made. */
export function unreachable(operation: string, location: S3Location, error: unknown): StorageError {
  const reason = error instanceof Error ? error.message : String(error);
  return new StorageError(
    'storage_unreachable',
    `${describeCall(operation, location)} got no response: ${reason}`,
    { ...location, operation },
    { cause: error, retryable: true, neverStarted: neverConnected(error) },
  );
}

/** XML's five predefined entities, the only escapes in S3's error documents. */
function unescapeXml(text: string): string {
  const entities: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => entities[name]);
}

/**
 * S3's error code and message: `<Error><Code>` and `<Message>` (Amazon S3 API Reference, "Error responses"). A HEAD
 * answer has no body; the SDK then names a 404 `NotFound` (`@aws-sdk/core`, `loadRestXmlErrorCode`), and the status
 * names any other.
 */
function readS3Error(body: string, httpStatus: number): { s3Code: string; s3Message: string } {
  const field = (name: string) => {
    const value = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
    return value === undefined ? undefined : unescapeXml(value);
  };
  const s3Code = field('Code') ?? (httpStatus === 404 ? 'NotFound' : `HTTP${httpStatus}`);
  return { s3Code, s3Message: field('Message') ?? '' };
}

/**
 * An error answer, classified as the AWS SDK classifies it for retries (throttling and transient errors are
 * retryable), with whether the store provably did nothing and what the operator should do.
 */
export async function storageFailure(
  operation: string,
  location: S3Location,
  response: Response,
): Promise<StorageError> {
  const httpStatus = response.status;
  const { s3Code, s3Message } = readS3Error(await response.text(), httpStatus);
  const meaning = s3ErrorMeaning(s3Code, httpStatus);
  const said = s3Message ? `: ${s3Message.replace(/\.$/, '')}` : '';
  const verb = meaning.code === 'storage_denied' ? 'was denied' : 'failed';
  return new StorageError(
    meaning.code,
    `${describeCall(operation, location)} ${verb}: ${s3Code} (HTTP ${httpStatus})${said}; ${meaning.advice}`,
    { ...location, operation, httpStatus, s3Code },
    { retryable: isRetryableAwsError(s3Code, httpStatus, s3Message), neverStarted: meaning.neverStarted },
  );
}
