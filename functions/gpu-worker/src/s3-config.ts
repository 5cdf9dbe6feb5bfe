import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ValidationError } from '@stipple/core';
import { type Env, readEnv, readBoolean as readEnvBoolean } from './env-values.ts';

/** Where and how the gpu-worker reaches its S3-compatible result store (AWS S3, Cloudflare R2, MinIO, s3rver). */
export interface S3Config {
  /** `S3_ENDPOINT`: base URL of a non-AWS store; undefined = AWS S3 in `region`. */
  endpoint: string | undefined;
  /** `S3_REGION`; default `us-east-1` (R2 wants `auto`). */
  region: string;
  /**
   * `S3_FORCE_PATH_STYLE`: address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key`. Default true when
   * `S3_ENDPOINT` is set (MinIO and s3rver serve path style; a custom host rarely has wildcard DNS), false on AWS.
   */
  forcePathStyle: boolean;
  /** `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`); undefined = the SDK's default chain. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  /**
   * `S3_CONDITIONAL_WRITES`; default true: write once with `If-None-Match: *`. Set false for stores without conditional
   * writes (s3rver ignores the header); the store then checks with HEAD before PUT, which leaves a race between writers.
   */
  conditionalWrites: boolean;
}

export type S3Env = Env;

/** Reads `S3Config` from an env-like record; an empty variable counts as unset. Throws `ValidationError` on bad values. */
export function readS3Config(env: S3Env): S3Config {
  const endpoint = readEndpoint(env);
  const accessKeyId = readEnv(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = readEnv(env, 'AWS_SECRET_ACCESS_KEY');
  const sessionToken = readEnv(env, 'AWS_SESSION_TOKEN');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ValidationError(
      'invalid_s3_config',
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together; set both, or neither to use the default credential chain',
      { variables: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] },
    );
  }
  return {
    endpoint,
    region: readEnv(env, 'S3_REGION') ?? 'us-east-1',
    forcePathStyle: readBoolean(env, 'S3_FORCE_PATH_STYLE', endpoint !== undefined),
    credentials:
      accessKeyId === undefined || secretAccessKey === undefined
        ? undefined
        : { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) },
    conditionalWrites: readBoolean(env, 'S3_CONDITIONAL_WRITES', true),
  };
}

/** Builds the client for `config`; `clientOptions` (retries, a request handler with timeouts) override the defaults. */
export function createS3Client(config: S3Config, clientOptions: S3ClientConfig = {}): S3Client {
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint === undefined
      ? {}
      : {
          endpoint: config.endpoint,
          // Since SDK 3.729 checksums are sent by default, which several S3-compatible stores reject
          // (aws/aws-sdk-js-v3#6810); send and check them only where the operation requires it.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    ...clientOptions,
  });
}

function readBoolean(env: S3Env, name: string, fallback: boolean): boolean {
  return readEnvBoolean(env, name, fallback, 'invalid_s3_config');
}

function readEndpoint(env: S3Env): string | undefined {
  const value = readEnv(env, 'S3_ENDPOINT');
  if (value === undefined) return undefined;
  const protocol = URL.canParse(value) ? new URL(value).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new ValidationError(
      'invalid_s3_config',
      `S3_ENDPOINT is "${value}"; use an http:// or https:// URL, e.g. http://127.0.0.1:9000`,
      { variable: 'S3_ENDPOINT', value },
    );
  }
  return value;
}
