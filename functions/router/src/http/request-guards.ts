import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from './app-context.ts';

/** The largest request body accepted, bytes: a 2000-character prompt and every option fit many times over. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * 413 for bodies over `MAX_BODY_BYTES`, counted as they stream in, so a chunked body without Content-Length is cut
 * off just the same.
 */
export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError(413, 'request_too_large', `the request body is over ${MAX_BODY_BYTES} bytes; send at most that`);
  },
});

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
