import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../transport/retry-after.ts';
import { fullJitterDelayMs } from './backoff.ts';

describe('fullJitterDelayMs', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1_000 };

  it('draws uniformly below base · 2^retry', () => {
    expect([0, 1, 2, 3].map((retry) => fullJitterDelayMs(retry, options, () => 0.999))).toEqual([99, 199, 399, 799]);
    expect(fullJitterDelayMs(3, options, () => 0)).toBe(0);
  });

  it('never exceeds the cap, however many retries', () => {
    expect(fullJitterDelayMs(4, options, () => 0.5)).toBe(500);
    expect(fullJitterDelayMs(40, options, () => 0.999)).toBe(999);
  });
});

describe('retryAfterMs', () => {
  const now = Date.UTC(2030, 0, 1, 0, 0, 0);

  it('reads delay-seconds and HTTP-dates (RFC 9110 §10.2.3)', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Tue, 01 Jan 2030 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Mon, 31 Dec 2029 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unreadable value', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
  });
});
