import { describe, expect, it } from 'vitest';
import { nextAttemptAt, readRetryDelays, WEBHOOK_RETRY_WINDOW_MS } from './webhook-retry-schedule.ts';

describe('nextAttemptAt', () => {
  it('backs off along the schedule, repeating its last delay', () => {
    const delays = [5, 30, 120];
    const start = 1_000_000;
    expect([1, 2, 3, 4, 9].map((failed) => nextAttemptAt(start, failed, start, delays)! - start)).toEqual([
      5000, 30_000, 120_000, 120_000, 120_000,
    ]);
  });

  it('keeps retrying for 24 hours after the first attempt, then gives up', () => {
    const start = 1_000_000;
    expect(nextAttemptAt(start, 8, start + WEBHOOK_RETRY_WINDOW_MS - 1)).toBeDefined();
    expect(nextAttemptAt(start, 9, start + WEBHOOK_RETRY_WINDOW_MS)).toBeUndefined();
  });

  it('tries the default schedule at least 8 times before the window closes', () => {
    let now = 0;
    let attempts = 1;
    for (let next = nextAttemptAt(0, attempts, now); next !== undefined; next = nextAttemptAt(0, attempts, now)) {
      now = next;
      attempts++;
    }
    expect(attempts).toBeGreaterThanOrEqual(8);
    expect(now).toBeGreaterThanOrEqual(WEBHOOK_RETRY_WINDOW_MS);
  });
});

describe('readRetryDelays', () => {
  it('reads comma-separated seconds, and refuses anything else naming the value', () => {
    expect(readRetryDelays('0.2, 1,5')).toEqual([0.2, 1, 5]);
    expect(readRetryDelays(undefined)).toHaveLength(7);
    expect(() => readRetryDelays('5,soon')).toThrow('WEBHOOK_RETRY_DELAYS_SECONDS "5,soon" is not a list of delays');
    expect(() => readRetryDelays('-1')).toThrow('each 0–86400');
  });
});
