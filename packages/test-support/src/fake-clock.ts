/**
 * A clock that only moves when told, for backoff, time limits and cool-downs: `sleep` parks a timer, and `run` drives
 * a promise to its end by jumping to the next timer whenever nothing else can happen.
 */
import type { Clock } from '@stipple/adapters';

interface Timer {
  at: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  private timers: Timer[] = [];

  constructor(private current = Date.UTC(2030, 0, 1)) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = { at: this.current + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((other) => other !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Moves time forward by `ms`, firing every timer due by then. */
  advance(ms: number): void {
    this.current += ms;
    const due = this.timers.filter((timer) => timer.at <= this.current);
    this.timers = this.timers.filter((timer) => timer.at > this.current);
    for (const timer of due) timer.resolve();
  }

  /** Runs `promise` to its end, jumping to the next timer whenever the event loop has nothing else to do. */
  async run<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return watched;
      if (this.timers.length === 0) throw new Error('the promise waits on something other than this clock');
      const next = Math.min(...this.timers.map((timer) => timer.at));
      this.advance(next - this.current);
    }
  }
}
