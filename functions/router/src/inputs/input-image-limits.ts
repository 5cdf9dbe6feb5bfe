import { MAX_INPUT_IMAGE_BYTES } from '@stipple/jobs';

/** The largest uploaded or fetched input, bytes: the engine's (`MAX_INPUT_IMAGE_BYTES`, 20 MiB). */
export const MAX_UPLOAD_BYTES = MAX_INPUT_IMAGE_BYTES;

/**
 * The largest input sent inside a request (a data URL in `POST /v1/jobs`, a file to `/v1/images/edits` or
 * `/variations`), bytes once decoded: 4 MiB, DALL·E 2's limit for edits. It keeps request bodies small and the
 * router's memory bounded (an isolate has 128 MB); a bigger image goes through `POST /v1/uploads`.
 */
export const MAX_INLINE_IMAGE_BYTES = 4 * 1024 * 1024;

/** How long a presigned upload URL from `POST /v1/uploads` stays valid, seconds: 15 minutes. */
export const UPLOAD_URL_TTL_SECONDS = 900;

/** How long the router waits for an `https` input image (headers and body together), milliseconds. */
export const INPUT_FETCH_TIMEOUT_MS = 15_000;

/** Redirects an `https` input image may take, each target checked again by the SSRF guard. */
export const MAX_INPUT_FETCH_REDIRECTS = 3;

/**
 * Where inputs live in the bucket unless `S3_INPUT_PREFIX` says otherwise: `inputs/{tenant}/{upload id}`, apart from
 * the outputs so that a lifecycle rule expires them sooner (infra/storage.ts) and IAM grants them by prefix.
 */
export const DEFAULT_INPUT_PREFIX = 'inputs';
