import { describeValue, INPUT_IMAGE_CONTENT_TYPES } from '@stipple/jobs';
import { z } from 'zod';
import { fromBase64 } from '../openai/base64.ts';
import { MAX_INLINE_IMAGE_BYTES } from './input-image-limits.ts';
import { UPLOAD_ID_PATTERN } from './upload-id.ts';

/** The input fields of a job. */
export type InputImageField = 'image' | 'mask';

/**
 * Where a job's input image comes from: an upload of the tenant's (`POST /v1/uploads`), bytes sent in the request (a
 * data URL, a multipart file), or a URL the router fetches under the SSRF guard.
 */
export type InputImageSource =
  | { kind: 'upload'; uploadId: string }
  | { kind: 'inline'; bytes: Uint8Array<ArrayBuffer> }
  | { kind: 'url'; url: string };

const MEBIBYTE = 1024 * 1024;
const INLINE_LIMIT = `${MAX_INLINE_IMAGE_BYTES / MEBIBYTE} MiB`;
/** `data:<type>[;parameters];base64,<data>` (RFC 2397 §3); only base64 data is taken. */
const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s;

/** What an input field accepts, in words, for messages and the OpenAPI document. */
export const INPUT_IMAGE_FORMS = `an upload id (upl_… from POST /v1/uploads), a data URL (data:image/png;base64,…, at most ${INLINE_LIMIT} decoded) or an https URL`;

/** A data URL's image, or the reason it is not one the API takes. */
function readDataUrl(field: InputImageField, value: string): InputImageSource | string {
  const match = DATA_URL.exec(value);
  if (!match) return `${field} is not a data URL; use data:image/png;base64,…`;
  const [, contentType, parameters, data] = match;
  if (!(INPUT_IMAGE_CONTENT_TYPES as readonly string[]).includes(contentType.toLowerCase())) {
    return `${field} is a data URL of ${describeValue(contentType)}; use ${INPUT_IMAGE_CONTENT_TYPES.join(', ')}`;
  }
  if (!parameters.split(';').includes('base64')) return `${field} is a data URL without ;base64; encode it in base64`;
  // Checked before decoding: 4 characters of base64 carry 3 bytes.
  if (Math.floor((data.length * 3) / 4) > MAX_INLINE_IMAGE_BYTES + 2) {
    return `${field} is a data URL of about ${Math.round((data.length * 3) / 4 / 1024)} KiB; send at most ${INLINE_LIMIT} this way, or upload it first (POST /v1/uploads, up to 20 MiB)`;
  }
  const bytes = fromBase64(data);
  if (bytes === undefined) return `${field} is a data URL whose data is not base64`;
  if (bytes.length > MAX_INLINE_IMAGE_BYTES) {
    return `${field} is ${bytes.length} bytes; send at most ${INLINE_LIMIT} in a data URL, or upload it first (POST /v1/uploads)`;
  }
  return { kind: 'inline', bytes };
}

/** An input field of `POST /v1/jobs`: one of `INPUT_IMAGE_FORMS`, read into its source. */
export function inputImageSourceSchema(field: InputImageField) {
  return z
    .string()
    .transform((value, context): InputImageSource => {
      let source: InputImageSource | string;
      if (value.startsWith('data:')) source = readDataUrl(field, value);
      else if (value.startsWith('upl_')) {
        source = UPLOAD_ID_PATTERN.test(value)
          ? { kind: 'upload', uploadId: value }
          : `${field} ${describeValue(value)} is not an upload id; use the id POST /v1/uploads answered (upl_ and 32 hex digits)`;
      } else if (/^https?:\/\//i.test(value)) source = { kind: 'url', url: value };
      else source = `${field} ${describeValue(value)} is none of the forms it takes; send ${INPUT_IMAGE_FORMS}`;
      if (typeof source === 'string') {
        context.addIssue({ code: 'custom', message: source });
        return z.NEVER;
      }
      return source;
    })
    .meta({
      description: `${field === 'image' ? 'The image to start from' : 'Inpainting mask, white = repaint'}: ${INPUT_IMAGE_FORMS}.`,
    });
}
