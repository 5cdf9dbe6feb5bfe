import { StippleError, ValidationError } from '@stipple/core';
import { INPUT_IMAGE_CONTENT_TYPES, imageTypeOf, MAX_INPUT_IMAGE_BYTES } from '@stipple/jobs';
import { type ApiTarget, apiRequest } from './api-client.ts';

/** `POST /v1/uploads`'s answer (docs/router.md, "Uploads"). */
interface UploadView {
  id: string;
  upload_url: string;
  method: 'PUT';
  headers: Record<string, string>;
}

/** An input file of `remote generate`: the flag that named it, its path and its bytes. */
export interface InputFile {
  flag: 'image' | 'mask';
  path: string;
  bytes: Uint8Array;
}

/** Checks the file's type (by its bytes, as the router does) and size before anything is sent. */
export function checkInputFile({ flag, path, bytes }: InputFile): (typeof INPUT_IMAGE_CONTENT_TYPES)[number] {
  const contentType = imageTypeOf(bytes);
  if (contentType === undefined) {
    throw new ValidationError('invalid_image', `--${flag} ${path} is not a PNG, JPEG or WebP file`, {
      flag,
      path,
      allowed: INPUT_IMAGE_CONTENT_TYPES,
    });
  }
  if (bytes.length > MAX_INPUT_IMAGE_BYTES) {
    throw new ValidationError(
      'image_too_large',
      `--${flag} ${path} is ${bytes.length} bytes; the router takes at most ${MAX_INPUT_IMAGE_BYTES} (20 MiB)`,
      { flag, path, value: bytes.length, max: MAX_INPUT_IMAGE_BYTES },
    );
  }
  return contentType;
}

/** An error about one input file: its flag and path, then what went wrong; the code and retryability kept. */
function aboutFile(file: InputFile, error: unknown): unknown {
  if (!(error instanceof StippleError)) return error;
  return new StippleError(
    error.code,
    `--${file.flag} ${file.path}: ${error.message}`,
    { ...error.details, flag: file.flag, path: file.path },
    { cause: error, retryable: error.isRetryable },
  );
}

/** PUTs the bytes to the presigned URL with exactly the headers it was signed with (type and length). */
async function putToStore(upload: UploadView, bytes: Uint8Array): Promise<void> {
  // The query string is the URL's signature: errors name the object, not the credential.
  const { origin, pathname } = new URL(upload.upload_url);
  let response: Response;
  try {
    response = await fetch(upload.upload_url, { method: upload.method, headers: upload.headers, body: bytes });
  } catch (error) {
    throw new StippleError(
      'upload_failed',
      `cannot reach the store at ${origin} (${(error as Error).cause ?? (error as Error).message})`,
      {},
      { retryable: true },
    );
  }
  if (!response.ok) {
    // S3 answers errors as XML: `<Code>` and `<Message>` say why (a signature or size the store refused).
    const body = await response.text().catch(() => '');
    const why = [/<Code>([^<]*)<\/Code>/, /<Message>([^<]*)<\/Message>/].map((tag) => tag.exec(body)?.[1]);
    throw new StippleError(
      'upload_failed',
      `the store at ${origin}${pathname} refused the upload: ${response.status}${why[0] ? ` ${why.filter(Boolean).join(': ')}` : ''}`,
      { status: response.status },
      { retryable: response.status >= 500 },
    );
  }
}

/**
 * Uploads an input file through `POST /v1/uploads` (its type from its bytes, its exact size), then PUTs it straight
 * to the bucket; returns the upload id a job names it by. Errors name the flag and the file.
 */
export async function uploadInputFile(target: ApiTarget, file: InputFile): Promise<string> {
  const contentType = checkInputFile(file);
  try {
    const upload = await apiRequest<UploadView>(target, 'POST', '/v1/uploads', {
      body: { content_type: contentType, size_bytes: file.bytes.length },
    });
    await putToStore(upload, file.bytes);
    return upload.id;
  } catch (error) {
    throw aboutFile(file, error);
  }
}
