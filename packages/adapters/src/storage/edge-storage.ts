import { type Job, manifestKey, type ResultManifest, resultManifestSchema, StorageError } from '@stipple/jobs';
import type { AwsCredentials } from '../aws/aws-credentials.ts';
import { AwsSigner } from '../aws/aws-signer.ts';
import { objectUrl, type S3Location } from '../aws/s3-location.ts';
import { type Clock, systemClock } from '../spec/clock.ts';
import type { CallOptions } from '../spec/image-provider-v1.ts';
import { describeIssues } from '../spec/parse-settings.ts';
import { readCappedBody } from '../transport/read-capped-body.ts';
import { presignExpirySeconds } from './presign-expiry.ts';
import { describeCall, storageFailure, unreachable } from './storage-failure.ts';

export interface EdgeStorageOptions {
  /** The store's base URL, e.g. `https://<account>.r2.cloudflarestorage.com`; default AWS S3 in `region`. */
  endpoint?: string;
  /** Signing region; default `us-east-1` (`auto` for R2). */
  region?: string;
  credentials: AwsCredentials;
  /** Path-style URLs (`endpoint/bucket/key`); default true with an `endpoint`, else false (as the gpu-worker). */
  forcePathStyle?: boolean;
  fetch?: typeof fetch;
  clock?: Clock;
}

export interface PresignGetOptions {
  /** Seconds the URL stays valid: an integer 1–604800 (7 days); default 3600. */
  expiresInSeconds?: number;
  /** Sets the response's `Content-Disposition`, e.g. `attachment; filename="cat.png"`. */
  responseContentDisposition?: string;
  /** Sets the response's `Content-Type`. */
  responseContentType?: string;
}

export interface PresignPutOptions {
  /** The upload's `Content-Type`, signed: S3 refuses a PUT that sends another. */
  contentType: string;
  /** The upload's size in bytes, signed as `Content-Length`: S3 refuses a PUT of any other size. */
  contentLength: number;
  /** Seconds the URL stays valid: an integer 1–604800 (7 days); default 3600. */
  expiresInSeconds?: number;
}

/** An object's bytes and the `Content-Type` it was stored with. */
export interface StoredObject {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string | undefined;
}

/**
 * S3 access for the edge, with fetch and SigV4 only (so it runs in workerd): presigned GET URLs for results, result
 * manifests, and staged inputs, against any S3-compatible store (AWS S3, R2, MinIO).
 */
export class EdgeStorage {
  private readonly signer: AwsSigner;
  private readonly endpoint: URL;
  private readonly pathStyle: boolean;
  private readonly fetch: typeof fetch;

  constructor(options: EdgeStorageOptions) {
    const region = options.region ?? 'us-east-1';
    const clock = options.clock ?? systemClock;
    this.endpoint = new URL(options.endpoint ?? `https://s3.${region}.amazonaws.com`);
    this.pathStyle = options.forcePathStyle ?? options.endpoint !== undefined;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.signer = new AwsSigner({ credentials: options.credentials, region, service: 's3', now: () => clock.now() });
  }

  /** A URL anyone can GET the object with until it expires (SigV4 query authentication). */
  async presignGet(location: S3Location, options: PresignGetOptions = {}): Promise<string> {
    const expiresInSeconds = presignExpirySeconds(options.expiresInSeconds);
    const url = objectUrl(this.endpoint, location, this.pathStyle);
    // S3's response-header overrides (GetObject, "Overriding response header values"); signed with the URL.
    if (options.responseContentDisposition !== undefined)
      url.searchParams.set('response-content-disposition', options.responseContentDisposition);
    if (options.responseContentType !== undefined)
      url.searchParams.set('response-content-type', options.responseContentType);
    return (await this.signer.presign(url, 'GET', expiresInSeconds)).toString();
  }

  /**
   * A URL that uploads one object with a PUT until it expires: the signature covers `Content-Type` and `Content-Length`
   * (`X-Amz-SignedHeaders`), so the client must send exactly those and S3 takes no other type or size.
   */
  async presignPut(location: S3Location, options: PresignPutOptions): Promise<string> {
    const expiresInSeconds = presignExpirySeconds(options.expiresInSeconds);
    const url = objectUrl(this.endpoint, location, this.pathStyle);
    const headers = { 'content-type': options.contentType, 'content-length': String(options.contentLength) };
    return (await this.signer.presign(url, 'PUT', expiresInSeconds, headers)).toString();
  }

  /**
   * The object's bytes, or `undefined` when it does not exist (the bucket must). An object over `maxBytes` is not read
   * past that many bytes: it throws `storage_object_too_large`, with its size when the store said it.
   */
  async getBytes(
    location: S3Location,
    options: CallOptions & { maxBytes?: number } = {},
  ): Promise<StoredObject | undefined> {
    const response = await this.getObject(location, options.abortSignal);
    if (response === undefined) return undefined;
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const declared = response.headers.get('content-length');
    const bytes = await readCappedBody(response, maxBytes);
    if (bytes === undefined) {
      throw new StorageError(
        'storage_object_too_large',
        `${describeCall('GET', location)} is ${declared ?? `over ${maxBytes}`} bytes, over the ${maxBytes} this read allows`,
        { ...location, maxBytes },
      );
    }
    return { bytes, contentType: response.headers.get('content-type') ?? undefined };
  }

  /** The object's body as text, or `undefined` when it does not exist (the bucket must). */
  async getText(location: S3Location, options: CallOptions = {}): Promise<string | undefined> {
    return (await this.getObject(location, options.abortSignal))?.text();
  }

  /** The object parsed as JSON, or `undefined` when it does not exist. */
  async getJson(location: S3Location, options: CallOptions = {}): Promise<unknown> {
    const text = await this.getText(location, options);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch (error) {
      throw invalidObject(location, 'is not JSON', error);
    }
  }

  /** Writes an object (a staged job, an input image). */
  async putObject(
    location: S3Location,
    body: string | Uint8Array<ArrayBuffer>,
    contentType: string,
    options: CallOptions = {},
  ): Promise<void> {
    const init = { method: 'PUT', headers: { 'content-type': contentType }, body };
    const response = await this.send('PUT', location, init, options.abortSignal);
    if (!response.ok) throw await storageFailure('PUT', location, response);
    await response.body?.cancel();
  }

  /** The job's result manifest, checked against `resultManifestSchema`; `undefined` while the job is not done. */
  async readManifest(
    job: Pick<Job, 'tenantId' | 'jobId' | 'output'> | S3Location,
    options: CallOptions = {},
  ): Promise<ResultManifest | undefined> {
    const location = 'bucket' in job ? job : { bucket: job.output.bucket, key: manifestKey(job) };
    return parseManifest(location, await this.getJson(location, options));
  }

  /** A GetObject's successful answer, or `undefined` when the key does not exist; any other failure throws. */
  private async getObject(location: S3Location, signal?: AbortSignal): Promise<Response | undefined> {
    const response = await this.send('GET', location, { method: 'GET' }, signal);
    if (response.status === 404) {
      // S3 answers 404 for a missing bucket too (NoSuchBucket); only a missing key means "not written yet".
      const failure = await storageFailure('GET', location, response);
      if (failure.details.s3Code === 'NoSuchBucket') throw failure;
      return undefined;
    }
    if (!response.ok) throw await storageFailure('GET', location, response);
    return response;
  }

  private async send(
    operation: string,
    location: S3Location,
    init: Parameters<AwsSigner['sign']>[1],
    signal?: AbortSignal,
  ) {
    const request = await this.signer.sign(objectUrl(this.endpoint, location, this.pathStyle), init);
    try {
      return await this.fetch(request, { signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw unreachable(operation, location, error);
    }
  }
}

function invalidObject(location: S3Location, problem: string, cause?: unknown): StorageError {
  return new StorageError(
    'storage_invalid_object',
    `${describeCall('GET', location)} ${problem}`,
    { ...location },
    { cause },
  );
}

/** A stored manifest, checked: a manifest of another shape would make a router report outputs that do not exist. */
export function parseManifest(location: S3Location, value: unknown): ResultManifest | undefined {
  if (value === undefined) return undefined;
  const parsed = resultManifestSchema.safeParse(value);
  if (!parsed.success) {
    throw invalidObject(location, `is not a result manifest (${describeIssues(parsed.error)})`, parsed.error);
  }
  return parsed.data;
}
