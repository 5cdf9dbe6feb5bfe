import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { childProcesses, processCpuMs, withCpuPerRequest } from '../../functions/router/load/process-cpu.ts';

/** Keeps this thread busy for `ms`. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe.skipIf(process.platform !== 'linux')('process CPU from /proc (npm run load, scenario 3)', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });

  it('reads the CPU a process used, which grows by what it spent', () => {
    const before = processCpuMs(process.pid)!;
    spin(300);
    const spent = processCpuMs(process.pid)! - before;
    // One thread spinning: about 300 ms of CPU (clock ticks are 10 ms; other threads may add some).
    expect(spent).toBeGreaterThanOrEqual(250);
    expect(spent).toBeLessThan(1_000);
  });

  it('finds a child by its executable name, and only that parent’s', async () => {
    child = spawn('sleep', ['30']);
    await once(child, 'spawn');
    expect(childProcesses(process.pid, 'sleep')).toEqual([child.pid]);
    expect(childProcesses(process.pid, 'workerd-not-running')).toEqual([]);
    expect(childProcesses(child.pid!, 'sleep')).toEqual([]);
  });

  it('says what each role spent per request, and nothing when a process cannot be read', async () => {
    child = spawn('sleep', ['30']);
    await once(child, 'spawn');
    const processes = { client: [process.pid], idle: [child.pid!] };
    const { result, cpu } = await withCpuPerRequest(processes, 100, async () => {
      spin(200);
      return 'done';
    });
    expect(result).toBe('done');
    // 200 ms over 100 requests: about 2,000 µs each for this process, nothing for a sleeping one.
    expect(cpu!.client).toBeGreaterThanOrEqual(1_500);
    expect(cpu!.client).toBeLessThan(10_000);
    expect(cpu!.idle).toBe(0);

    child.kill('SIGKILL');
    await once(child, 'exit');
    const gone = await withCpuPerRequest(processes, 100, async () => 'done');
    expect(gone).toEqual({ result: 'done' });
  });
});
