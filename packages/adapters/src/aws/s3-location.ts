import { AdapterValidationError } from '../errors/adapter-error.ts';
import { isIpHost, isVirtualHostableBucket } from './s3-bucket-addressing.ts';
import { objectKeyPath, uriEncode } from './s3-object-path.ts';

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

/**
 * The URL of an object: path-style (`endpoint/bucket/key`, what MinIO, s3rver and custom endpoints need) or
 * virtual-hosted (`bucket.endpoint/key`, AWS's default). Virtual hosting is used only where the SDK would use it: a
 * bucket that is one DNS label (no dots) on an endpoint named by host name. The key's segments are encoded as SigV4
 * signs them (`objectKeyPath`), so the signer and S3 see one path.
 */
export function objectUrl(endpoint: URL, location: S3Location, pathStyle: boolean): URL {
  const url = new URL(endpoint);
  const basePath = url.pathname.replace(/\/$/, '');
  const keyPath = objectKeyPath(location.key);
  if (pathStyle || !isVirtualHostableBucket(location.bucket) || isIpHost(url.hostname)) {
    url.pathname = `${basePath}/${uriEncode(location.bucket)}/${keyPath}`;
  } else {
    url.hostname = `${location.bucket}.${url.hostname}`;
    url.pathname = `${basePath}/${keyPath}`;
  }
  return url;
}
