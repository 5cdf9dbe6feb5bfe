import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ValidationError } from '@stipple/core';
import { StorageError } from '@stipple/jobs';
import { storageErrorFrom } from './storage-error-from.ts';

/**
 * S3 limits user-defined metadata to 2 KB: the UTF-8 bytes of every key and value together (AWS S3 User Guide,
 * "Working with object metadata", user-defined metadata).
 */
export const METADATA_LIMIT_BYTES = 2048;
/** Each value is truncated to this many bytes (after encoding), leaving room for the other entries and the keys. */
export const METADATA_VALUE_LIMIT_BYTES = 1536;
/** Ends a truncated value, after decoding. */
export const TRUNCATION_MARKER = '…[truncated]';

export interface ObjectLocation {
  bucket: string;
  key: string;
}

export interface PutOnceInput extends ObjectLocation {
  body: Uint8Array;
  contentType: string;
  /** User metadata; keys lowercase `[a-z0-9-]`, values any string (encoded by `encodeMetadataValue`). */
  metadata: Record<string, string>;
}

export interface ResultStoreOptions {
  /** Write with `If-None-Match: *` (true) or HEAD before PUT (false, for stores without conditional writes). */
  conditionalWrites: boolean;
}

/** Writes generation results to S3 once per key, and reads them back. */
export class ResultStore {
  constructor(
    private readonly client: S3Client,
    private readonly options: ResultStoreOptions,
  ) {}

  /** Writes `body` at `key` only if no object is there; `written: false` means one already was (left unchanged). */
  async putOnce(input: PutOnceInput): Promise<{ written: boolean }> {
    const { bucket, key } = input;
    const metadata = encodeMetadata(input.metadata, { operation: 'PutObject', bucket, key });
    // Without conditional writes another writer may PUT between our HEAD and PUT; the later write then wins.
    if (!this.options.conditionalWrites && (await this.exists({ bucket, key }))) return { written: false };
    const command = new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: input.body,
      ContentType: input.contentType,
      Metadata: metadata,
      ...(this.options.conditionalWrites ? { IfNoneMatch: '*' } : {}),
    });
    try {
      await this.client.send(command);
      return { written: true };
    } catch (error) {
      // S3 answers 412 PreconditionFailed when the key exists, and 409 ConditionalRequestConflict when a concurrent
      // conditional write to it is in flight (S3 User Guide, "Add preconditions to S3 operations with conditional
      // requests"); in both cases another writer owns the key.
      const status = httpStatusOf(error);
      if (this.options.conditionalWrites && (status === 412 || status === 409)) return { written: false };
      throw storageErrorFrom(error, { operation: 'PutObject', bucket, key });
    }
  }

  /** Whether an object is at `key` (HEAD; 404 = absent). */
  async exists({ bucket, key }: ObjectLocation): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (error) {
      if (httpStatusOf(error) === 404) return false;
      throw storageErrorFrom(error, { operation: 'HeadObject', bucket, key });
    }
  }

  /**
   * The bytes of the object at `key`, or undefined when there is none. An object over `maxBytes` (by its
   * Content-Length, or by what arrives) is refused with `image_too_large` without reading further than the limit.
   */
  async getBytes({ bucket, key }: ObjectLocation, maxBytes: number): Promise<Uint8Array | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const tooLarge = (bytes: number) =>
        new ValidationError(
          'image_too_large',
          `s3://${bucket}/${key} is ${bytes} bytes; an input image may be at most ${maxBytes} bytes`,
          { bucket, key, value: bytes, max: maxBytes },
        );
      if ((response.ContentLength ?? 0) > maxBytes) {
        await response.Body?.transformToWebStream().cancel();
        throw tooLarge(response.ContentLength as number);
      }
      const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
      if (bytes.length > maxBytes) throw tooLarge(bytes.length);
      return bytes;
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      if (httpStatusOf(error) === 404) return undefined;
      throw storageErrorFrom(error, { operation: 'GetObject', bucket, key });
    }
  }

  /** The object at `key` parsed as JSON, or undefined when there is none. */
  async getJson({ bucket, key }: ObjectLocation): Promise<unknown> {
    let text: string;
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      text = (await response.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw storageErrorFrom(error, { operation: 'GetObject', bucket, key });
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new StorageError(
        'storage_failed',
        `GetObject s3://${bucket}/${key} is not JSON: ${(error as Error).message}`,
        { operation: 'GetObject', bucket, key },
        { cause: error },
      );
    }
  }
}

/**
 * Makes a metadata value safe for an HTTP header and S3 (ASCII only): percent-encodes `%`, spaces, control characters
 * and non-ASCII as UTF-8, so `decodeMetadataValue` (`decodeURIComponent`) inverts it while printable ASCII such as
 * compact JSON stays readable. A value longer than `limitBytes` once encoded is cut at a character boundary and ends
 * with `TRUNCATION_MARKER`.
 */
export function encodeMetadataValue(value: string, limitBytes = METADATA_VALUE_LIMIT_BYTES): string {
  const encoded = percentEncode(value);
  if (encoded.length <= limitBytes) return encoded;
  const marker = percentEncode(TRUNCATION_MARKER);
  let cut = '';
  for (const character of value) {
    const piece = percentEncode(character);
    if (cut.length + piece.length + marker.length > limitBytes) break;
    cut += piece;
  }
  return cut + marker;
}

export function decodeMetadataValue(value: string): string {
  return decodeURIComponent(value);
}

function percentEncode(value: string): string {
  // A lone surrogate has no UTF-8 form (encodeURIComponent throws on it): write U+FFFD instead.
  return value
    .replace(/\p{Cs}/gu, '\uFFFD')
    .replace(/[^\x21-\x24\x26-\x7e]/gu, (character) => encodeURIComponent(character));
}

function encodeMetadata(
  metadata: Record<string, string>,
  target: { operation: string; bucket: string; key: string },
): Record<string, string> {
  const encoded: Record<string, string> = {};
  let totalBytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (!/^[a-z0-9-]+$/.test(name)) {
      throw new ValidationError('invalid_metadata_key', `metadata key "${name}" is not lowercase [a-z0-9-]`, {
        ...target,
        name,
      });
    }
    encoded[name] = encodeMetadataValue(value);
    totalBytes += name.length + encoded[name].length;
  }
  if (totalBytes > METADATA_LIMIT_BYTES) {
    throw new StorageError(
      'storage_metadata_too_large',
      `metadata for s3://${target.bucket}/${target.key} is ${totalBytes} bytes after encoding; S3 allows ${METADATA_LIMIT_BYTES}`,
      { ...target, totalBytes, keys: Object.keys(metadata) },
    );
  }
  return encoded;
}

function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
