import { describe, expect, it } from 'vitest';
import {
  bucketView,
  changeLimit,
  DEFAULT_REQUESTS_PER_MINUTE,
  parseRequestsPerMinute,
  takeTokens,
} from './token-bucket.ts';

describe('takeTokens', () => {
  it('starts full, grants what is asked while tokens last, and grants none after the last', () => {
    let take = takeTokens(undefined, 3, 0, 1);
    expect(take).toEqual({ granted: 1, state: { tokens: 2, updatedAtMs: 0 }, retryAfterMs: 0 });
    take = takeTokens(take.state, 3, 0, 5);
    expect(take).toMatchObject({ granted: 2, state: { tokens: 0 }, retryAfterMs: 0 });
    const refused = takeTokens(take.state, 3, 5_000, 1);
    expect(refused).toMatchObject({ granted: 0, retryAfterMs: 15_000 });
    // A refused request takes nothing: the bucket went on filling.
    expect(refused.state.tokens).toBeCloseTo(0.25);
  });

  it('refills continuously at the limit per minute, never above the limit', () => {
    const empty = { tokens: 0, updatedAtMs: 0 };
    expect(takeTokens(empty, 600, 100, 1)).toMatchObject({ granted: 1 });
    expect(takeTokens(empty, 600, 99, 1)).toMatchObject({ granted: 0, retryAfterMs: 1 });
    expect(takeTokens(empty, 600, 3_600_000, 1000)).toMatchObject({ granted: 600, state: { tokens: 0 } });
  });

  it('takes back unspent tokens before it grants, never above the limit', () => {
    const empty = { tokens: 0, updatedAtMs: 0 };
    expect(takeTokens(empty, 60, 0, 3, 2)).toMatchObject({ granted: 2, state: { tokens: 0 } });
    expect(takeTokens({ tokens: 59, updatedAtMs: 0 }, 60, 0, 1, 10)).toMatchObject({ state: { tokens: 59 } });
  });

  it('cuts tokens above a lowered limit, and ignores a clock that ran backwards', () => {
    expect(takeTokens({ tokens: 600, updatedAtMs: 0 }, 3, 0, 1)).toMatchObject({ granted: 1, state: { tokens: 2 } });
    expect(takeTokens({ tokens: 1.5, updatedAtMs: 1_000 }, 60, 0, 2)).toMatchObject({ granted: 1 });
  });
});

describe('bucketView', () => {
  it('reports the whole tokens left and the time until the bucket is full', () => {
    expect(bucketView(2, 3)).toEqual({ remaining: 2, resetMs: 20_000 });
    expect(bucketView(0.25, 3)).toEqual({ remaining: 0, resetMs: 55_000 });
    expect(bucketView(599, 600)).toEqual({ remaining: 599, resetMs: 100 });
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
