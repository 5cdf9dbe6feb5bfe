import { readCappedBody } from '@stipple/adapters';
import { INPUT_IMAGE_CONTENT_TYPES } from '@stipple/jobs';
import type { Env } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';
import { checkWebhookUrl } from '../webhooks/webhook-url-guard.ts';
import { webhookUrlPolicy } from '../webhooks/webhook-url-policy.ts';
import { INPUT_FETCH_TIMEOUT_MS, MAX_INPUT_FETCH_REDIRECTS, MAX_UPLOAD_BYTES } from './input-image-limits.ts';
import type { InputImageField } from './input-image-source.ts';

const invalid = (field: InputImageField, message: string) =>
  new ApiError(400, 'invalid_image', message, { param: field });

/**
 * An input image fetched from a URL the client gave, under the webhooks' SSRF guard (webhook-url-guard.ts): checked
 * before the request and again before each redirect it follows (at most `MAX_INPUT_FETCH_REDIRECTS`), within
 * `INPUT_FETCH_TIMEOUT_MS`, of an image content type, and cut off past `MAX_UPLOAD_BYTES`.
 */
export async function fetchInputImage(env: Env, field: InputImageField, url: string): Promise<Uint8Array<ArrayBuffer>> {
  const policy = webhookUrlPolicy(env);
  const signal = AbortSignal.timeout(INPUT_FETCH_TIMEOUT_MS);
  let target = url;
  for (let hop = 0; hop <= MAX_INPUT_FETCH_REDIRECTS; hop++) {
    const check = await checkWebhookUrl(target, policy, field);
    if (!check.ok) throw invalid(field, check.reason);
    let response: Response;
    try {
      response = await fetch(check.url, {
        redirect: 'manual',
        signal,
        headers: { accept: INPUT_IMAGE_CONTENT_TYPES.join(', ') },
      });
    } catch (error) {
      const reason = signal.aborted ? `no answer within ${INPUT_FETCH_TIMEOUT_MS / 1000} s` : (error as Error).message;
      throw invalid(
        field,
        `${field} URL ${check.url.host} could not be fetched (${reason}); use a reachable https URL`,
      );
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      target = new URL(location, check.url).toString();
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw invalid(
        field,
        `${field} URL ${check.url.host} answered ${response.status}; use a URL that serves the image`,
      );
    }
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!(INPUT_IMAGE_CONTENT_TYPES as readonly string[]).includes(contentType)) {
      await response.body?.cancel();
      throw invalid(
        field,
        `${field} URL serves ${JSON.stringify(contentType || 'no content type')}; use one serving ${INPUT_IMAGE_CONTENT_TYPES.join(', ')}`,
      );
    }
    const bytes = await readCappedBody(response, MAX_UPLOAD_BYTES);
    if (bytes === undefined) {
      throw invalid(field, `${field} URL serves more than ${MAX_UPLOAD_BYTES} bytes; use an image of at most that`);
    }
    return bytes;
  }
  throw invalid(field, `${field} URL redirects more than ${MAX_INPUT_FETCH_REDIRECTS} times; use the image's own URL`);
}
