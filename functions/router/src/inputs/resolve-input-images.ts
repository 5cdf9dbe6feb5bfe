import type { EdgeStorage } from '@stipple/adapters';
import { bytesToHex, type InputImage, imageTypeOf, StorageError } from '@stipple/jobs';
import type { Env } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';
import { createStorage } from '../jobs/job-services.ts';
import { fetchInputImage } from './fetch-input-image.ts';
import { MAX_UPLOAD_BYTES } from './input-image-limits.ts';
import type { InputImageField, InputImageSource } from './input-image-source.ts';
import { inputLocation } from './input-location.ts';
import { newUploadId } from './upload-id.ts';

/** A job's input images as the job contract names them (`{ key, sha256 }`). */
export type ResolvedInputImages = Partial<Record<InputImageField, InputImage>>;

/** The 502 for a store that failed while the router read or wrote an input: the client may simply retry. */
function storeFailed(field: InputImageField, error: unknown): ApiError | unknown {
  if (!(error instanceof StorageError)) return error;
  console.error(JSON.stringify({ level: 'error', event: 'input_storage_failed', field, message: error.message }));
  return new ApiError(502, 'input_storage_failed', `${field} could not be read or stored (${error.code}); try again`, {
    param: field,
  });
}

/** The tenant's upload, read back in full (at most `MAX_UPLOAD_BYTES`): its digest is of what the worker will read. */
async function readUpload(env: Env, storage: EdgeStorage, tenantId: string, field: InputImageField, uploadId: string) {
  const location = inputLocation(env, tenantId, uploadId);
  const stored = await storage.getBytes(location, { maxBytes: MAX_UPLOAD_BYTES }).catch((error: unknown) => {
    if (error instanceof StorageError && error.code === 'storage_object_too_large') {
      throw new ApiError(400, 'invalid_image', `${field} upload ${uploadId} is over ${MAX_UPLOAD_BYTES} bytes`, {
        param: field,
      });
    }
    throw storeFailed(field, error);
  });
  if (stored === undefined) {
    // The same answer for another tenant's id: the key is built from the caller's tenant, so it simply is not there.
    throw new ApiError(
      404,
      'upload_not_found',
      `${field}: no upload ${uploadId} for this key (never uploaded, expired, or not yours); upload it again`,
      { param: field },
    );
  }
  return { location, bytes: stored.bytes };
}

/** One input, checked to be a PNG, JPEG or WebP, stored under the tenant's inputs prefix when it was not yet. */
async function resolveOne(
  env: Env,
  storage: EdgeStorage,
  tenantId: string,
  field: InputImageField,
  source: InputImageSource,
): Promise<InputImage> {
  if (source.kind === 'upload') {
    const { location, bytes } = await readUpload(env, storage, tenantId, field, source.uploadId);
    if (imageTypeOf(bytes) === undefined) throw notAnImage(field, `upload ${source.uploadId}`);
    return { key: location.key, sha256: await sha256(bytes) };
  }
  const bytes = source.kind === 'inline' ? source.bytes : await fetchInputImage(env, field, source.url);
  const contentType = imageTypeOf(bytes);
  if (contentType === undefined) throw notAnImage(field, source.kind === 'url' ? 'the URL’s content' : 'the data');
  const location = inputLocation(env, tenantId, newUploadId());
  await storage.putObject(location, bytes, contentType).catch((error: unknown) => {
    throw storeFailed(field, error);
  });
  return { key: location.key, sha256: await sha256(bytes) };
}

function notAnImage(field: InputImageField, what: string): ApiError {
  return new ApiError(
    400,
    'invalid_image',
    `${field}: ${what} is not a PNG, JPEG or WebP image (its first bytes are no such signature); send one of those`,
    { param: field },
  );
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return bytesToHex(await crypto.subtle.digest('SHA-256', bytes));
}

/**
 * The job's input images, each stored under the tenant's inputs prefix with its SHA-256: an upload is read back and
 * checked, a data URL or multipart file is stored, a URL is fetched under the SSRF guard and stored.
 */
export async function resolveInputImages(
  env: Env,
  tenantId: string,
  sources: Partial<Record<InputImageField, InputImageSource>>,
): Promise<ResolvedInputImages> {
  const storage = createStorage(env);
  const fields = (['image', 'mask'] as const).filter((field) => sources[field] !== undefined);
  const resolved = await Promise.all(
    fields.map((field) => resolveOne(env, storage, tenantId, field, sources[field] as InputImageSource)),
  );
  return Object.fromEntries(fields.map((field, index) => [field, resolved[index]]));
}
