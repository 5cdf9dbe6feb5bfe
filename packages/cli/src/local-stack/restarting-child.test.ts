import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type Restart, type RestartingChild, type RestartPolicy, startRestartingChild } from './restarting-child.ts';
import { type SupervisedChild, startChild } from './supervised-child.ts';

/** Short waits, so a test sees several restarts in well under a second. */
const FAST: RestartPolicy = {
  firstDelayMs: 10,
  maxDelayMs: 40,
  stableAfterMs: 60_000,
  startupMs: 60_000,
  maxFailedStarts: 5,
};
/** A child that says so and exits at once, as a worker with a broken setup does. */
const CANNOT_START = 'console.error("cannot start: MAX_QUEUED_JOBS is nope"); process.exit(3)';
/** A child that runs until it is stopped. */
const RUNS = 'console.log("up"); setInterval(() => {}, 1000)';

/** Whether the process still exists (a reaped one does not). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const running: RestartingChild[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) await child.stop(1000);
});

/** A supervised `node -e script`, counting its starts and its restarts. */
function supervise(script: string, policy: RestartPolicy) {
  const starts: SupervisedChild[] = [];
  const restarts: Restart[] = [];
  const start = () => {
    const child = startChild({
      name: 'worker',
      command: process.execPath,
      args: ['-e', script],
      cwd: process.cwd(),
      env: process.env,
      formatLine: (line) => line,
      onLine: () => {},
    });
    starts.push(child);
    return child;
  };
  const child = startRestartingChild(start, (restart) => restarts.push(restart), policy);
  running.push(child);
  return { child, starts, restarts };
}

/** Resolves once `condition` holds, polling. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

describe('startRestartingChild', () => {
  it('starts a crashing child again with doubling waits, and gives it up after failed starts in a row', async () => {
    const { child, starts, restarts } = supervise(CANNOT_START, FAST);
    const last = await child.gaveUp;
    expect(last).toMatchObject({ name: 'worker', code: 3, lastLines: ['cannot start: MAX_QUEUED_JOBS is nope'] });
    expect(starts).toHaveLength(5);
    expect(restarts.map(({ count, delayMs }) => [count, delayMs])).toEqual([
      [1, 10],
      [2, 20],
      [3, 40],
      [4, 40],
    ]);
    expect(restarts[0].exit.code).toBe(3);
  });

  it('keeps restarting a child that outlived its start-up, and waits the first delay again after a stable run', async () => {
    const { starts, restarts } = supervise(CANNOT_START, { ...FAST, startupMs: 0, stableAfterMs: 0 });
    await until(() => restarts.length >= 7);
    expect(restarts.slice(0, 7).map(({ delayMs }) => delayMs)).toEqual([10, 10, 10, 10, 10, 10, 10]);
    expect(starts.length).toBeGreaterThanOrEqual(7);
  });

  it('runs the new process under the same name and reports its pid, and stop() stops that one', async () => {
    const { child, starts, restarts } = supervise(RUNS, FAST);
    const first = child.pid;
    process.kill(first, 'SIGKILL');
    await until(() => starts.length === 2);
    expect(restarts).toMatchObject([{ count: 1, exit: { name: 'worker', signal: 'SIGKILL' } }]);
    expect(child.pid).toBe(starts[1].pid);
    expect(child.pid).not.toBe(first);
    expect(exists(child.pid)).toBe(true);
    await child.stop(1000);
    expect(exists(starts[1].pid)).toBe(false);
  });

  it('starts nothing once stop() has begun, even while a restart waits', async () => {
    const { child, starts, restarts } = supervise(RUNS, { ...FAST, firstDelayMs: 200 });
    process.kill(child.pid, 'SIGKILL');
    await until(() => restarts.length === 1);
    await child.stop(1000);
    // Past the restart's wait: a restart that stop() did not cancel would have started by now.
    await sleep(400);
    expect(starts).toHaveLength(1);
    expect(exists(starts[0].pid)).toBe(false);
    const settled = await Promise.race([child.gaveUp.then(() => 'gave up'), sleep(50).then(() => 'pending')]);
    expect(settled).toBe('pending');
  });
});
