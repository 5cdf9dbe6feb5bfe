import { afterEach, describe, expect, it, vi } from 'vitest';
import { armDeadline } from './deadline-timer.ts';

describe('armDeadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits a deadline beyond setTimeout’s 24.8-day limit instead of firing at once', () => {
    vi.useFakeTimers({ now: 0 });
    const fired = vi.fn();
    const thirtyDaysMs = 30 * 24 * 3600 * 1000;
    armDeadline(thirtyDaysMs, fired);
    vi.advanceTimersByTime(1000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(thirtyDaysMs - 1001);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('fires at once for a deadline already passed, and not at all once disarmed', () => {
    vi.useFakeTimers({ now: 10_000 });
    const past = vi.fn();
    armDeadline(5_000, past);
    expect(past).toHaveBeenCalledTimes(1);
    const disarmed = vi.fn();
    armDeadline(20_000, disarmed)();
    vi.advanceTimersByTime(20_000);
    expect(disarmed).not.toHaveBeenCalled();
  });
});
