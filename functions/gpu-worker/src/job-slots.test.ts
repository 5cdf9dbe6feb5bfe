import { describe, expect, it } from 'vitest';
import { JobSlots } from './job-slots.ts';

describe('JobSlots', () => {
  it('runs up to the limit, queues up to the queue limit, and turns the rest away', async () => {
    const slots = new JobSlots(1, 1);
    const first = await slots.acquire();
    const queued = slots.acquire();
    expect(first).toBeTypeOf('function');
    expect(queued).toBeInstanceOf(Promise);
    expect(slots.acquire()).toBeUndefined();
    expect(slots.retryAfterSeconds()).toBeGreaterThanOrEqual(1);
    let started = false;
    const waiting = queued!.then((release) => {
      started = true;
      return release;
    });
    await Promise.resolve();
    expect(started).toBe(false);
    first!();
    const second = await waiting;
    expect(started).toBe(true);
    second();
    // Both slots are free again: one runs at once, one may wait.
    expect(await slots.acquire()).toBeTypeOf('function');
  });

  it('ignores a second release of the same slot', async () => {
    const slots = new JobSlots(1, 0);
    const release = (await slots.acquire())!;
    release();
    release();
    const again = (await slots.acquire())!;
    expect(slots.acquire()).toBeUndefined();
    again();
  });
});
