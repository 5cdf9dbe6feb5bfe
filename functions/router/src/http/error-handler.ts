import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from './app-context.ts';

/** The router's one error formatter: every failure leaves as OpenAI's envelope, unexpected ones logged and masked. */
export function handleError(error: Error, c: Context<AppContext>): Response {
  const known =
    error instanceof ApiError
      ? error
      : new ApiError(500, 'internal_error', `something went wrong on our side; quote request ${c.get('requestId')}`);
  if (!(error instanceof ApiError)) {
    console.error(
      JSON.stringify({ level: 'error', event: 'unhandled', requestId: c.get('requestId'), message: error.message }),
    );
  }
  c.set('errorCode', known.code);
  for (const [name, value] of Object.entries(known.headers)) c.header(name, value);
  return c.json(known.toEnvelope(), known.status as ContentfulStatusCode);
}

export function notFound(c: Context<AppContext>): Response {
  return handleError(
    new ApiError(
      404,
      'unknown_route',
      `${c.req.method} ${new URL(c.req.url).pathname} is not an endpoint; see /openapi.json`,
    ),
    c,
  );
}
