import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../errors/api-error.ts';
import { MAX_INLINE_IMAGE_BYTES } from '../inputs/input-image-limits.ts';
import type { AppContext } from './app-context.ts';

/** The largest request body accepted, bytes: a 2000-character prompt and every option fit many times over. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A data URL of the largest inline image: base64 (4 characters per 3 bytes) and its `data:image/webp;base64,`. */
const MAX_DATA_URL_CHARACTERS = Math.ceil(MAX_INLINE_IMAGE_BYTES / 3) * 4 + 64;

/**
 * Bodies that may carry input images, and how large: `POST /v1/jobs` with an image and a mask as data URLs, the
 * OpenAI image forms with their files (multipart's own framing fits in `MAX_BODY_BYTES`).
 */
export const MAX_BODY_BYTES_BY_PATH: Readonly<Record<string, number>> = {
  '/v1/jobs': MAX_BODY_BYTES + 2 * MAX_DATA_URL_CHARACTERS,
  '/v1/images/edits': MAX_BODY_BYTES + 2 * MAX_INLINE_IMAGE_BYTES,
  '/v1/images/variations': MAX_BODY_BYTES + MAX_INLINE_IMAGE_BYTES,
};

function bodyLimitOf(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, 'request_too_large', `the request body is over ${maxSize} bytes; send at most that`);
    },
  });
}

const defaultLimit = bodyLimitOf(MAX_BODY_BYTES);
const limitsByPath = new Map(Object.entries(MAX_BODY_BYTES_BY_PATH).map(([path, size]) => [path, bodyLimitOf(size)]));

/**
 * 413 for bodies over `MAX_BODY_BYTES` (or the path's own, `MAX_BODY_BYTES_BY_PATH`), counted as they stream in, so a
 * chunked body without Content-Length is cut off just the same.
 */
export const limitBody = createMiddleware<AppContext>((c, next) =>
  (limitsByPath.get(c.req.path) ?? defaultLimit)(c, next),
);

/**
 * CORS for browsers and mobile web views: `CORS_ORIGINS` lists the allowed origins (comma-separated), `*` (the
 * default) allows any. API keys travel in headers, never cookies, so no credentials mode.
 */
export const allowCors = createMiddleware<AppContext>((c, next) => {
  const origins = (c.env.CORS_ORIGINS ?? '*').split(',').map((origin) => origin.trim());
  return cors({
    origin: origins.includes('*') ? '*' : origins,
    allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'prefer', 'x-request-id'],
    exposeHeaders: ['location', 'x-request-id', 'retry-after', 'idempotent-replayed', 'preference-applied'],
    maxAge: 86_400,
  })(c, next);
});
