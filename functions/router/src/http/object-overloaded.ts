import { ApiError } from '../errors/api-error.ts';

/** Seconds a client is asked to wait after an overloaded object: its queue drains within that. */
export const OVERLOADED_RETRY_AFTER_SECONDS = 1;

/**
 * Whether an error is a Durable Object refusing a call because too much is queued for it (Cloudflare sets
 * `overloaded` on such errors, https://developers.cloudflare.com/durable-objects/observability/troubleshooting/).
 * Such a call never ran. Cloudflare's advice: do not retry it at once, which deepens the overload.
 */
export function isObjectOverloaded(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { overloaded?: unknown }).overloaded === true;
}

/** What the client is told: `503 overloaded` with `Retry-After`, a busy service rather than a bug (docs/SCALE.md). */
export function overloadedError(): ApiError {
  return new ApiError(
    503,
    'overloaded',
    `this tenant's traffic is more than its account can take at once right now; retry in ${OVERLOADED_RETRY_AFTER_SECONDS} s (nothing was charged for this request)`,
    { headers: { 'retry-after': String(OVERLOADED_RETRY_AFTER_SECONDS) } },
  );
}
