import type { InputImageContentType } from '@stipple/jobs';
import { apiJson } from './api-call.ts';
import { errorMessage } from './page-elements.ts';

/** What `POST /v1/uploads` answers (docs/router.md, "Uploads"); only what the page reads. */
interface Upload {
  id: string;
  upload_url: string;
  method: 'PUT';
  headers: Record<string, string>;
}

/**
 * Uploads an input (`what`: "image" or "mask") as a phone app would: `POST /v1/uploads` for a presigned PUT, then the
 * file straight to the bucket with the signed headers; returns the upload id a job names it by.
 */
export async function uploadInput(what: string, file: Blob, contentType: InputImageContentType): Promise<string> {
  const upload = await apiJson<Upload>('/v1/uploads', {
    method: 'POST',
    body: JSON.stringify({ content_type: contentType, size_bytes: file.size }),
  });
  // A browser sets Content-Length itself, from the body (scripts may not); it is the size signed above.
  const { 'content-length': _length, ...headers } = upload.headers;
  const store = new URL(upload.upload_url).origin;
  let response: Response;
  try {
    response = await fetch(upload.upload_url, { method: upload.method, headers, body: file });
  } catch (error) {
    throw new Error(`the ${what} could not be sent to the store at ${store} (${errorMessage(error)})`);
  }
  if (!response.ok) throw new Error(`the store at ${store} refused the ${what}: it answered ${response.status}`);
  return upload.id;
}
