import { createMiddleware } from 'hono/factory';
import type { AppContext } from './app-context.ts';

/** `x-request-id` on every response: the caller's own when it sent a sane one, else a fresh one. */
export const requestId = createMiddleware<AppContext>(async (c, next) => {
  const given = c.req.header('x-request-id');
  const id = given && /^[\w.-]{1,128}$/.test(given) ? given : `req_${crypto.randomUUID().replaceAll('-', '')}`;
  c.set('requestId', id);
  c.header('x-request-id', id);
  await next();
});
