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

/** What the `x-ratelimit-*` headers report of one request against a bucket, and whether it was allowed. */
export interface BucketDecision {
  allowed: boolean;
  /** Requests per minute, which is also the bucket's capacity. */
  limit: number;
  /** Whole requests that may be made right now. */
  remaining: number;
  /** Until the bucket is full again, ms (OpenAI's `x-ratelimit-reset-requests`). */
  resetMs: number;
  /** Until the next request would be allowed, ms; 0 when this one was. */
  retryAfterMs: number;
}

/** Tokens taken from a bucket at once (`takeTokens`): a lease an isolate spends one request at a time. */
export interface BucketTake {
  /** Tokens taken: as many as asked for, or the whole ones the bucket held; 0 when it held none. */
  granted: number;
  /** The bucket to store: what it holds once they are taken. */
  state: BucketState;
  /** Until the bucket holds a whole token again, ms; 0 when any was granted. */
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
 * Takes up to `want` whole tokens from a bucket of capacity `limit` that refills at `limit` tokens per minute,
 * continuously, after putting back `returned` tokens taken earlier and never spent (never above the limit). A missing
 * bucket is full. A bucket without a whole token grants none and takes nothing, so a client that retries too early does
 * not dig itself deeper.
 */
export function takeTokens(
  state: BucketState | undefined,
  limit: number,
  nowMs: number,
  want: number,
  returned = 0,
): BucketTake {
  const refilled = Math.min(limit, refill(state, limit, nowMs) + returned);
  const granted = Math.max(0, Math.min(want, Math.floor(refilled)));
  const tokens = refilled - granted;
  return {
    granted,
    state: { tokens, updatedAtMs: nowMs },
    retryAfterMs: granted > 0 ? 0 : msUntilWholeToken(tokens, limit),
  };
}

/** How long a bucket of capacity `limit` holding `tokens` takes to hold a whole one, ms: 0 if it does. */
export function msUntilWholeToken(tokens: number, limit: number): number {
  return tokens >= 1 ? 0 : wholeMs(((1 - tokens) * RATE_LIMIT_WINDOW_MS) / limit);
}

/** What the headers report of a bucket of capacity `limit` holding `tokens`: whole requests left, and until full. */
export function bucketView(tokens: number, limit: number): Pick<BucketDecision, 'remaining' | 'resetMs'> {
  return { remaining: Math.floor(tokens), resetMs: wholeMs(((limit - tokens) * RATE_LIMIT_WINDOW_MS) / limit) };
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
