export interface BackoffOptions {
  /** The first retry's ceiling, in ms. */
  baseDelayMs: number;
  /** No delay exceeds this, in ms. */
  maxDelayMs: number;
}

/**
 * Capped exponential backoff with full jitter: a uniform random delay in [0, min(max, base · 2^retry)) (Brooker, "Exponential
 * Backoff And Jitter", AWS Architecture Blog, 2015), so clients that failed together do not retry together.
 * `retry` counts from 0; `random` returns [0, 1).
 */
export function fullJitterDelayMs(retry: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}
