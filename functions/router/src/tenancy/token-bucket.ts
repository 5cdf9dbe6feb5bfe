/** The window a requests-per-minute limit is stated over. */
export const RATE_LIMIT_WINDOW_MS = 60_000;
/** Requests per minute per key when `RATE_LIMIT_REQUESTS_PER_MINUTE` is unset. */
export const DEFAULT_REQUESTS_PER_MINUTE = 600;
/**
 * Requests per minute per end user (or per client token without one) when `CLIENT_TOKEN_RATE_LIMIT_REQUESTS_PER_MINUTE`
 * is unset: two a second, plenty for one person's app, a fifth of a key's.
 */
export const DEFAULT_CLIENT_TOKEN_REQUESTS_PER_MINUTE = 120;

/** A bucket as stored: tokens left (fractional while refilling) as of `updatedAtMs`. */
export interface BucketState {
  tokens: number;
  /** When `tokens` was last computed, ms since the epoch. */
  updatedAtMs: number;
}

/** The outcome of one request against a bucket, and what the `x-ratelimit-*` headers report. */
export interface BucketDecision {
  allowed: boolean;
  /** The bucket to store: one token fewer when allowed, refilled either way. */
  state: BucketState;
  /** Requests per minute, which is also the bucket's capacity. */
  limit: number;
  /** Whole requests that may be made right now. */
  remaining: number;
  /** Until the bucket is full again, ms (OpenAI's `x-ratelimit-reset-requests`). */
  resetMs: number;
  /** Until the next request would be allowed, ms; 0 when this one was. */
  retryAfterMs: number;
}

/** Rounds a wait up to whole ms, ignoring float noise (0.99 tokens at 10 per second is 1 ms, not 1.0000000000000009). */
function wholeMs(ms: number): number {
  return Math.ceil(Number(ms.toFixed(6)));
}

/** The tokens in a bucket of capacity `limit` at `nowMs` (a missing bucket is full; a clock that ran back adds none). */
export function refill(state: BucketState | undefined, limit: number, nowMs: number): number {
  if (!state) return limit;
  const elapsedMs = Math.max(0, nowMs - state.updatedAtMs);
  return Math.min(limit, state.tokens + (elapsedMs * limit) / RATE_LIMIT_WINDOW_MS);
}

/**
 * The bucket once its limit changes: a higher limit adds its extra capacity at once (an upgraded key need not wait for
 * it to fill), a lower one cuts the tokens to fit.
 */
export function changeLimit(state: BucketState | undefined, from: number, to: number, nowMs: number): BucketState {
  const tokens = refill(state, from, nowMs);
  return { tokens: to > from ? tokens + (to - from) : Math.min(tokens, to), updatedAtMs: nowMs };
}

/**
 * Takes one token from a bucket of capacity `limit` that refills at `limit` tokens per minute, continuously. A missing
 * bucket is full. A refused request takes nothing, so a client that retries too early does not dig itself deeper.
 */
export function takeToken(state: BucketState | undefined, limit: number, nowMs: number): BucketDecision {
  const perMs = limit / RATE_LIMIT_WINDOW_MS;
  const refilled = refill(state, limit, nowMs);
  const allowed = refilled >= 1;
  const tokens = allowed ? refilled - 1 : refilled;
  return {
    allowed,
    state: { tokens, updatedAtMs: nowMs },
    limit,
    remaining: Math.floor(tokens),
    resetMs: wholeMs((limit - tokens) / perMs),
    retryAfterMs: allowed ? 0 : wholeMs((1 - tokens) / perMs),
  };
}

/** Whether `limit` can be a requests-per-minute limit: a whole number from 1 up. */
export function isRequestsPerMinute(limit: number): boolean {
  return Number.isSafeInteger(limit) && limit >= 1;
}

/** `RATE_LIMIT_REQUESTS_PER_MINUTE` as a number; `DEFAULT_REQUESTS_PER_MINUTE` when unset or empty. */
export function parseRequestsPerMinute(
  value: string | undefined,
  name = 'RATE_LIMIT_REQUESTS_PER_MINUTE',
  fallback = DEFAULT_REQUESTS_PER_MINUTE,
): number {
  if (value === undefined || value.trim() === '') return fallback;
  const limit = Number(value);
  if (!isRequestsPerMinute(limit)) {
    throw new Error(`${name} "${value}" is not allowed; use a whole number from 1 up`);
  }
  return limit;
}
