import { createMiddleware } from 'hono/factory';
import type { AppContext } from './app-context.ts';

/**
 * One JSON line per request, after it is answered: request id, method, path (never the query or headers), status,
 * duration, the error code when it failed, and who called (tenant and key id, never the key). Workers Logs and
 * `wrangler tail` index JSON lines, so a request can be found by any of these at 3 a.m.
 */
export const logRequest = createMiddleware<AppContext>(async (c, next) => {
  const started = Date.now();
  await next();
  const { status } = c.res;
  const caller = c.get('caller');
  const line = {
    level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
    event: 'request',
    requestId: c.get('requestId'),
    method: c.req.method,
    path: c.req.path,
    status,
    ms: Date.now() - started,
    ...(c.get('errorCode') && { code: c.get('errorCode') }),
    ...(caller && { tenantId: caller.tenantId, keyId: caller.keyId }),
    ...(caller?.clientToken && { clientTokenId: caller.clientToken.id }),
  };
  console.log(JSON.stringify(line));
});
