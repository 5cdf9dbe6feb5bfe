import { describe, expect, it } from 'vitest';
import { RunningJobs } from './running-jobs.ts';

describe('RunningJobs', () => {
  it('forgets a job as soon as it ends (batching waits for no one) and remembers how it ended', () => {
    const jobs = new RunningJobs();
    jobs.start('a');
    jobs.markRunning('a');
    expect([jobs.size, jobs.state('a')]).toEqual([1, 'running']);
    jobs.finish('a', { state: 'failed', code: 'storage_unreachable', message: 'down' });
    jobs.reporting(new Promise(() => {}));
    expect([jobs.size, jobs.state('a'), jobs.ended('a')]).toEqual([
      0,
      undefined,
      { state: 'failed', code: 'storage_unreachable', message: 'down' },
    ]);
  });

  it('drains only once the final events are delivered', async () => {
    const jobs = new RunningJobs();
    let deliver!: () => void;
    jobs.reporting(new Promise<void>((resolve) => (deliver = resolve)));
    let drained = false;
    const draining = jobs.drain(0).then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([drained, jobs.accepting]).toEqual([false, false]);
    deliver();
    await draining;
    expect(drained).toBe(true);
  });
});
