import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from './app-context.ts';
import { isObjectOverloaded, overloadedError } from './object-overloaded.ts';

/**
 * The router's one error formatter: every failure leaves as OpenAI's envelope, unexpected ones logged and masked; a
 * Durable Object refusing a call as overloaded is `503 overloaded` with `Retry-After`, logged as a warning.
 */
export function handleError(error: Error, c: Context<AppContext>): Response {
  const overloaded = isObjectOverloaded(error);
  const known =
    error instanceof ApiError
      ? error
      : overloaded
        ? overloadedError()
        : new ApiError(500, 'internal_error', `something went wrong on our side; quote request ${c.get('requestId')}`);
  if (overloaded) {
    console.warn(
      JSON.stringify({
        level: 'warn',
        event: 'object_overloaded',
        requestId: c.get('requestId'),
        message: error.message,
      }),
    );
  } else if (!(error instanceof ApiError)) {
    console.error(
      JSON.stringify({ level: 'error', event: 'unhandled', requestId: c.get('requestId'), message: error.message }),
    );
  }
  c.set('errorCode', known.code);
  // Its own headers (Retry-After) given with the answer: `c.header` would copy an answer already made once each.
  return c.json(known.toEnvelope(), known.status as ContentfulStatusCode, known.headers);
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
