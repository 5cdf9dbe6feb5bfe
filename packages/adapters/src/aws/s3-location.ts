import { AdapterValidationError } from '../errors/adapter-error.ts';

/** An object in a bucket. */
export interface S3Location {
  bucket: string;
  key: string;
}

/** Parses `s3://bucket/key`, the form SageMaker takes and returns object locations in. */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) {
    throw new AdapterValidationError('invalid_s3_uri', `S3 URI ${JSON.stringify(uri)} is invalid; use s3://bucket/key`);
  }
  return { bucket: match[1], key: match[2] };
}

export function formatS3Uri({ bucket, key }: S3Location): string {
  return `s3://${bucket}/${key}`;
}

/** Each key segment percent-encoded, the slashes kept (S3 keys are paths to URLs). */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * The HTTPS URL of an object: path-style (`endpoint/bucket/key`, what MinIO, s3rver and custom endpoints need) or
 * virtual-hosted (`bucket.endpoint/key`, AWS's default).
 */
export function objectUrl(endpoint: URL, location: S3Location, pathStyle: boolean): URL {
  const base = new URL(endpoint);
  const basePath = base.pathname.replace(/\/$/, '');
  if (pathStyle) {
    base.pathname = `${basePath}/${location.bucket}/${encodeKey(location.key)}`;
  } else {
    base.hostname = `${location.bucket}.${base.hostname}`;
    base.pathname = `${basePath}/${encodeKey(location.key)}`;
  }
  return base;
}
