import type { MiddlewareHandler } from 'hono';
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

/** Headers a browser may send, and response headers its page may read (CORS). */
const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'prefer', 'x-request-id'];
const CORS_EXPOSE_HEADERS = ['location', 'x-request-id', 'retry-after', 'idempotent-replayed', 'preference-applied'];
/** `Access-Control-Expose-Headers` as sent. */
const CORS_EXPOSE_HEADER_VALUE = CORS_EXPOSE_HEADERS.join(',');

interface CorsPolicy {
  /** The value of `Access-Control-Allow-Origin` for a request from `origin`, or none. */
  allowOrigin(origin: string | undefined): string | undefined;
  /** Whether the answer depends on the request's origin (`Vary: Origin`). */
  varies: boolean;
  /** Hono's `cors`, for preflight (`OPTIONS`) requests. */
  preflight: MiddlewareHandler<AppContext>;
}

/** Each `CORS_ORIGINS` value's policy: bindings do not change within an isolate, so each is built once. */
const corsPolicies = new Map<string, CorsPolicy>();

function corsPolicy(setting: string): CorsPolicy {
  let policy = corsPolicies.get(setting);
  if (policy) return policy;
  const origins = setting.split(',').map((origin) => origin.trim());
  const any = origins.includes('*');
  policy = {
    allowOrigin: (origin) => (any ? '*' : origin !== undefined && origins.includes(origin) ? origin : undefined),
    varies: !any,
    preflight: cors({
      origin: any ? '*' : origins,
      allowHeaders: CORS_ALLOW_HEADERS,
      exposeHeaders: CORS_EXPOSE_HEADERS,
      maxAge: 86_400,
    }),
  };
  corsPolicies.set(setting, policy);
  return policy;
}

/**
 * CORS for browsers and mobile web views: `CORS_ORIGINS` lists the allowed origins (comma-separated), `*` (the
 * default) allows any. API keys travel in headers, never cookies, so no credentials mode. Preflights are Hono's
 * `cors`; other requests get their two headers before the handler runs (Hono's `cors` writes them on a response it
 * creates first, which the handler's answer then replaces: two more Response objects on every request).
 */
export const allowCors = createMiddleware<AppContext>((c, next) => {
  const policy = corsPolicy(c.env.CORS_ORIGINS ?? '*');
  if (c.req.method === 'OPTIONS') return policy.preflight(c, next);
  const allowed = policy.allowOrigin(c.req.header('origin'));
  if (allowed) {
    c.header('access-control-allow-origin', allowed);
    c.header('access-control-expose-headers', CORS_EXPOSE_HEADER_VALUE);
  }
  if (policy.varies) c.header('vary', 'Origin', { append: true });
  return next();
});
