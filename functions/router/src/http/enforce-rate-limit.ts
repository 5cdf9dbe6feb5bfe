import type { Context } from 'hono';
import { unauthorized } from '../auth/unauthorized.ts';
import { rateLimiter } from '../durable-objects.ts';
import { ApiError } from '../errors/api-error.ts';
import { callerListScope } from '../jobs/job-access.ts';
import type { KeyRecord } from '../tenancy/key-directory.ts';
import {
  type BucketDecision,
  DEFAULT_CLIENT_TOKEN_REQUESTS_PER_MINUTE,
  parseRequestsPerMinute,
} from '../tenancy/token-bucket.ts';
import type { AppContext } from './app-context.ts';
import { RateLimitLeases } from './rate-limit-leases.ts';

/** This isolate's leased rate-limit tokens (`rate-limit-leases.ts`). */
export const rateLimitLeases = new RateLimitLeases();

/**
 * A duration as OpenAI's `x-ratelimit-reset-*` headers write it, which is Go's `time.Duration` format: `17ms`, `1s`,
 * `1.5s`, `6m0s`, `1h0m0s`; `0s` for none.
 */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole === 0) return '0s';
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = `${(whole % 60_000) / 1000}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${minutes}m${seconds}` : seconds;
}

/** A request's `x-ratelimit-*-requests` headers, by name. */
export type RateLimitHeaders = Record<string, string>;

/**
 * Sets a request's rate-limit headers on its answer once made. A read's limit may be decided after its answer is made;
 * Hono's `c.header` would then copy that answer once per header, in case its headers are immutable (a fetched
 * response's). The router's answers are its own, whose headers are not, so they are set in place, and copied only if
 * they refuse.
 */
export function setRateLimitHeaders(c: Context<AppContext>, headers: RateLimitHeaders): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!c.finalized) c.header(name, value);
    else {
      try {
        c.res.headers.set(name, value);
      } catch {
        c.header(name, value);
      }
    }
  }
}

/**
 * Counts a request against its caller's limit (`RateLimiter`, one Durable Object per bucket, whose tokens this isolate
 * leases: `rate-limit-leases.ts`), and answers the bucket as OpenAI's `x-ratelimit-*-requests` headers, which every
 * response to the request carries, errors included (`setRateLimitHeaders`). Over the limit: `429
 * rate_limit_exceeded` with `Retry-After` in whole seconds (RFC 9110 §10.2.3), and the same headers.
 *
 * A secret key's requests fill the key's bucket (`RATE_LIMIT_REQUESTS_PER_MINUTE`). A client token's fill its end
 * user's own (or, without one, the token's: `callerListScope`), `CLIENT_TOKEN_RATE_LIMIT_REQUESTS_PER_MINUTE`, and not
 * the key's: one app user spending their budget never locks out the backend, nor any other user.
 */
export function enforceRateLimit(
  c: Context<AppContext>,
  caller: KeyRecord,
): RateLimitHeaders | Promise<RateLimitHeaders> {
  const bucket = caller.clientToken ? callerListScope(caller) : caller.keyId;
  // Decided here, at once, while this isolate holds the bucket's tokens (or a refusal); else once the limiter answers.
  const held = rateLimitLeases.held(bucket);
  if (held) return admit(held, caller);
  const defaultLimit = caller.clientToken
    ? parseRequestsPerMinute(
        c.env.CLIENT_TOKEN_RATE_LIMIT_REQUESTS_PER_MINUTE,
        'CLIENT_TOKEN_RATE_LIMIT_REQUESTS_PER_MINUTE',
        DEFAULT_CLIENT_TOKEN_REQUESTS_PER_MINUTE,
      )
    : undefined;
  return rateLimitLeases
    .take(bucket, (want, returned) => rateLimiter(c.env, bucket).lease(want, returned, defaultLimit))
    .then((decision) => admit(decision, caller));
}

/** A decision's headers if it admits the request; else the 401 or 429 to answer. */
function admit(decision: BucketDecision | { revoked: true }, caller: KeyRecord): RateLimitHeaders {
  if ('revoked' in decision) throw unauthorized('the API key is unknown or revoked');
  const headers: RateLimitHeaders = {
    'x-ratelimit-limit-requests': String(decision.limit),
    'x-ratelimit-remaining-requests': String(decision.remaining),
    'x-ratelimit-reset-requests': formatResetDuration(decision.resetMs),
  };
  if (!decision.allowed) {
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new ApiError(
      429,
      'rate_limit_exceeded',
      `${caller.clientToken ? "this client token's end user" : 'this API key'} is limited to ${decision.limit} requests per minute; retry in ${seconds} s`,
      { headers: { ...headers, 'retry-after': String(seconds) } },
    );
  }
  return headers;
}
