import { describe, expect, it } from 'vitest';
import { DEFAULT_SYNC_WAIT_SECONDS, syncWaitSeconds } from './sync-wait-seconds.ts';

describe('syncWaitSeconds', () => {
  it('reads SYNC_WAIT_SECONDS, 0 and fractions included, and defaults when it is unset or empty', () => {
    expect(syncWaitSeconds({ SYNC_WAIT_SECONDS: '0' })).toBe(0);
    expect(syncWaitSeconds({ SYNC_WAIT_SECONDS: '2.5' })).toBe(2.5);
    expect(syncWaitSeconds({})).toBe(DEFAULT_SYNC_WAIT_SECONDS);
    expect(syncWaitSeconds({ SYNC_WAIT_SECONDS: ' ' })).toBe(DEFAULT_SYNC_WAIT_SECONDS);
  });

  it('refuses a value that is not a number of seconds, naming it', () => {
    expect(() => syncWaitSeconds({ SYNC_WAIT_SECONDS: '-1' })).toThrow(
      'SYNC_WAIT_SECONDS "-1" is not a number of seconds',
    );
    expect(() => syncWaitSeconds({ SYNC_WAIT_SECONDS: 'soon' })).toThrow('use 0 or more (default 55)');
  });
});
