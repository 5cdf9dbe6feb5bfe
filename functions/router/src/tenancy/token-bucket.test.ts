import { describe, expect, it } from 'vitest';
import { changeLimit, DEFAULT_REQUESTS_PER_MINUTE, parseRequestsPerMinute, takeToken } from './token-bucket.ts';

describe('takeToken', () => {
  it('starts full, takes one token per request, and refuses the request after the last', () => {
    let state = takeToken(undefined, 3, 0);
    expect(state).toMatchObject({ allowed: true, limit: 3, remaining: 2, resetMs: 20_000, retryAfterMs: 0 });
    state = takeToken(state.state, 3, 0);
    state = takeToken(state.state, 3, 0);
    expect(state).toMatchObject({ allowed: true, remaining: 0, resetMs: 60_000 });
    const refused = takeToken(state.state, 3, 5_000);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, resetMs: 55_000, retryAfterMs: 15_000 });
    // A refused request takes nothing: the bucket went on filling.
    expect(refused.state.tokens).toBeCloseTo(0.25);
  });

  it('refills continuously at the limit per minute, never above the limit', () => {
    const empty = { tokens: 0, updatedAtMs: 0 };
    expect(takeToken(empty, 600, 100)).toMatchObject({ allowed: true, remaining: 0 });
    expect(takeToken(empty, 600, 99)).toMatchObject({ allowed: false, retryAfterMs: 1 });
    expect(takeToken(empty, 600, 3_600_000)).toMatchObject({ allowed: true, remaining: 599, resetMs: 100 });
  });

  it('cuts tokens above a lowered limit, and ignores a clock that ran backwards', () => {
    expect(takeToken({ tokens: 600, updatedAtMs: 0 }, 3, 0)).toMatchObject({ remaining: 2 });
    expect(takeToken({ tokens: 1.5, updatedAtMs: 1_000 }, 60, 0)).toMatchObject({ allowed: true, remaining: 0 });
  });
});

describe('changeLimit', () => {
  it("adds a higher limit's extra capacity at once, and cuts tokens to a lower one", () => {
    const empty = { tokens: 0, updatedAtMs: 0 };
    expect(changeLimit(empty, 3, 600, 0)).toEqual({ tokens: 597, updatedAtMs: 0 });
    expect(changeLimit(undefined, 600, 3, 0)).toEqual({ tokens: 3, updatedAtMs: 0 });
    // Refilled to now at the old limit first: 30 s at 60 a minute is 30 tokens, within the new 40.
    expect(changeLimit(empty, 60, 40, 30_000)).toEqual({ tokens: 30, updatedAtMs: 30_000 });
  });
});

describe('parseRequestsPerMinute', () => {
  it('reads a whole number from 1 up, defaulting when unset, and names a bad value', () => {
    expect(parseRequestsPerMinute(undefined)).toBe(DEFAULT_REQUESTS_PER_MINUTE);
    expect(parseRequestsPerMinute('')).toBe(600);
    expect(parseRequestsPerMinute('30')).toBe(30);
    for (const bad of ['0', '-5', '2.5', 'lots']) {
      expect(() => parseRequestsPerMinute(bad)).toThrow(`RATE_LIMIT_REQUESTS_PER_MINUTE "${bad}" is not allowed`);
    }
  });
});
