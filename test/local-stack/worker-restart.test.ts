import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../packages/cli/src/local-stack/local-stack.ts';
import { answers, isRunning, STACK_TEST_TIMEOUT_MS } from './local-stack-process.ts';

/** How long a restarted worker may take to answer /ping again: generous, for a machine running every suite. */
const RESTART_TIMEOUT_MS = 90_000;
/** How long past a restart's announced wait a restart that stop() failed to cancel would surely have begun. */
const RESTART_MARGIN_MS = 1_000;

describe('the local stack when its worker dies', () => {
  let folder: string;
  let stack: LocalStack;
  let stopped = false;
  const lines: string[] = [];
  const worker = () => stack.children.find((child) => child.name === 'worker')!;
  const router = () => stack.children.find((child) => child.name === 'router')!;

  /** Resolves once `condition` holds, or fails naming what was awaited, with the stack's log. */
  async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
    const deadline = Date.now() + RESTART_TIMEOUT_MS;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen; the stack's log:\n${lines.join('\n')}`);
      await sleep(100);
    }
  }

  const pingStatus = (url: string) =>
    fetch(`${url}/ping`, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.status,
      () => 0,
    );

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'stipple-worker-restart-'));
    stack = await startLocalStack({ port: await freePort(), stateDir: folder, log: (line) => lines.push(line) });
  }, STACK_TEST_TIMEOUT_MS);

  afterAll(async () => {
    if (stack && !stopped) await stack.stop();
    await rm(folder, { recursive: true, force: true });
  }, STACK_TEST_TIMEOUT_MS);

  it(
    'starts a killed worker again on the same URL, says so, and serves jobs with it',
    async () => {
      const { url: workerUrl } = worker();
      const killed = worker().pid;
      process.kill(killed, 'SIGKILL');

      const said = `[stack] worker exited with signal SIGKILL; restarting it on ${workerUrl} in 1 s (restart 1)`;
      await until('the restart line', () => lines.includes(said));
      await until('a new worker process', () => worker().pid !== killed);
      expect(isRunning(killed)).toBe(false);
      expect(lines).toContain(`[worker] starting on ${workerUrl} (pid ${worker().pid})`);
      await until('GET /ping 200 from the new worker', async () => (await pingStatus(workerUrl)) === 200);
      expect(worker().url).toBe(workerUrl);

      const created = await fetch(`${stack.url}/v1/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.devKey.key}`, 'content-type': 'application/json', prefer: 'wait=30' },
        body: JSON.stringify({ model: 'tiny-shapes', prompt: 'a red circle on a blue background', seed: 7 }),
      });
      expect(await created.json()).toMatchObject({ status: 'succeeded', outputs: [{ seed: 7 }] });

      const outcome = await Promise.race([stack.crashed.then(() => 'crashed'), sleep(10).then(() => 'running')]);
      expect(outcome).toBe('running');
    },
    STACK_TEST_TIMEOUT_MS,
  );

  it(
    'leaves no process behind when stopped while a killed worker waits to restart',
    async () => {
      const { url: workerUrl } = worker();
      const killed = worker().pid;
      const starts = () => lines.filter((line) => line.startsWith('[worker] starting on')).length;
      const startsBefore = starts();
      const linesBefore = lines.length;
      const restartLine = () =>
        lines.slice(linesBefore).find((line) => line.startsWith('[stack] worker exited with signal SIGKILL'));
      process.kill(killed, 'SIGKILL');
      await until('the restart line', () => restartLine() !== undefined);
      const waitSeconds = Number(/ in ([\d.]+) s \(restart 2\)$/.exec(restartLine()!)?.[1]);
      expect(waitSeconds).toBeGreaterThan(0);

      await stack.stop();
      stopped = true;
      // Past the restart's wait: a restart that stop() did not cancel would have started by now.
      await sleep(waitSeconds * 1000 + RESTART_MARGIN_MS);
      expect(starts()).toBe(startsBefore);
      expect(worker().pid).toBe(killed);
      expect(isRunning(killed)).toBe(false);
      expect(isRunning(router().pid)).toBe(false);
      expect(await answers(workerUrl)).toBe(false);
      expect(await answers(stack.url)).toBe(false);
    },
    STACK_TEST_TIMEOUT_MS,
  );
});
