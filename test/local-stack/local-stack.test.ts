import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@stipple/test-support/worker-process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  answers,
  isRunning,
  type LocalStackProcess,
  STACK_TEST_TIMEOUT_MS,
  startLocalStackProcess,
} from './local-stack-process.ts';

const STIPPLE = resolve(import.meta.dirname, '../../packages/cli/bin/stipple.js');
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

interface Job {
  id: string;
  status: string;
  outputs: { url: string; seed: number }[];
}

const started: LocalStackProcess[] = [];
const folders: string[] = [];

async function stateFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'stipple-local-stack-'));
  folders.push(folder);
  return folder;
}

async function start(env: Record<string, string>): Promise<LocalStackProcess> {
  const stack = await startLocalStackProcess(env);
  started.push(stack);
  return stack;
}

async function pngAt(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('image/png');
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect([...bytes.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
  return bytes;
}

/** `stipple start` that is expected to refuse: its exit code and what it printed on stderr. */
function stippleStart(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return promisify(execFile)(process.execPath, [STIPPLE, 'start'], { env: { PATH: process.env.PATH, ...env } }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  );
}

afterAll(async () => {
  for (const stack of started) await stack.interrupt();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('npm start (the local stack)', () => {
  it(
    'serves jobs with the printed key, stops every child on Ctrl-C, and keeps its state across restarts',
    async () => {
      const env = { STIPPLE_STATE_DIR: await stateFolder(), PORT: String(await freePort()) };
      const first = await start(env);
      expect(first.url).toBe(`http://127.0.0.1:${env.PORT}`);
      expect(first.output()).toContain(`Playground   ${first.url}/#key=${first.key}`);

      const created = await fetch(`${first.url}/v1/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${first.key}`, 'content-type': 'application/json', prefer: 'wait=60' },
        body: JSON.stringify({ prompt: 'a red circle on a blue background', seed: 7 }),
      });
      const job = (await created.json()) as Job;
      expect(job).toMatchObject({ status: 'succeeded', outputs: [{ seed: 7 }] });
      const image = await pngAt(job.outputs[0].url);
      const usage = async (url: string, key: string) =>
        (await (await fetch(`${url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
          credits_remaining: number;
        };
      const credits = (await usage(first.url, first.key)).credits_remaining;
      expect(credits).toBeLessThan(1000);

      // `stipple-cli keys` finds the local stack and its admin secret in the state folder, with no variables set.
      const listed = await promisify(execFile)(process.execPath, [STIPPLE, 'keys', 'list', '--tenant', 'dev'], {
        env: { PATH: process.env.PATH, STIPPLE_STATE_DIR: env.STIPPLE_STATE_DIR },
      });
      expect(listed.stdout).toContain(`${first.key.slice(0, 12)}…  test  generate,read  active`);

      // npm ends by the SIGINT it got once its script has ended; the stack says it stopped everything.
      expect(await first.interrupt()).toEqual({ code: null, signal: 'SIGINT' });
      expect(first.output()).toMatch(/\[stack\] SIGINT: stopping\n[\s\S]*\[stack\] stopped\n/);
      expect(isRunning(first.pids.worker)).toBe(false);
      expect(isRunning(first.pids.router)).toBe(false);
      expect(await answers(first.url)).toBe(false);
      expect(await answers(first.workerUrl)).toBe(false);

      // The worker's and the store's ports are kept: a saved one that is taken is refused, naming what holds it.
      const workerPort = Number(new URL(first.workerUrl).port);
      const squatter = createServer();
      await new Promise<void>((listening) => squatter.listen(workerPort, '127.0.0.1', listening));
      const refused = await stippleStart(env);
      await new Promise((closed) => squatter.close(closed));
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        `the worker's port ${workerPort} on 127.0.0.1 is in use by pid ${process.pid} (`,
      );

      const second = await start(env);
      expect(second.key).toBe(first.key);
      expect(second.workerUrl).toBe(first.workerUrl);
      // A URL minted before the restart still serves its image.
      expect(await pngAt(job.outputs[0].url)).toEqual(image);
      expect((await usage(second.url, second.key)).credits_remaining).toBe(credits);
      const again = await fetch(`${second.url}/v1/jobs/${job.id}`, {
        headers: { authorization: `Bearer ${second.key}` },
      });
      const kept = (await again.json()) as Job;
      expect(kept.status).toBe('succeeded');
      expect(await pngAt(kept.outputs[0].url)).toEqual(image);
      expect((await second.interrupt()).signal).toBe('SIGINT');
    },
    STACK_TEST_TIMEOUT_MS,
  );

  it(
    'takes the development key from DEV_API_KEY, and reports a crashed router and exits non-zero',
    async () => {
      const key = `sk_test_${'LocalStackTest'.repeat(3)}A`;
      const stateDir = await stateFolder();
      const stack = await start({
        STIPPLE_STATE_DIR: stateDir,
        PORT: String(await freePort()),
        DEV_API_KEY: key,
      });
      expect(stack.key).toBe(key);
      const usage = await fetch(`${stack.url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
      expect(await usage.json()).toMatchObject({ tenant_id: 'dev', credits_remaining: 1000 });

      // A second stack on the same port says so before it starts anything; so does one on the same state folder.
      const second = await stippleStart({ STIPPLE_STATE_DIR: await stateFolder(), PORT: new URL(stack.url).port });
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`port ${new URL(stack.url).port} on 127.0.0.1 is in use by pid `);
      const sameFolder = await stippleStart({ STIPPLE_STATE_DIR: stateDir, PORT: String(await freePort()) });
      expect(sameFolder.code).toBe(2);
      expect(sameFolder.stderr).toContain(
        `another local stack (pid ${stack.pids.stack}, ${stack.url}) uses the state folder`,
      );
      expect(sameFolder.stderr).toContain('STIPPLE_STATE_DIR=.stipple-2 PORT=8788 npm start');
      expect(JSON.parse(await readFile(join(stateDir, 'local-stack.json'), 'utf8')).url).toBe(stack.url);

      // A worker that dies is started again (worker-restart.test.ts); a router that dies ends the stack.
      process.kill(stack.pids.router, 'SIGKILL');
      expect(await stack.exited).toEqual({ code: 1, signal: null });
      expect(stack.output()).toMatch(
        /\[stack\] the router exited with signal SIGKILL; its last lines:\n[\s\S]*request .*method=GET path=\/v1\/usage status=200/,
      );
      expect(stack.output()).toContain('[stack] stopping the rest');
      expect(isRunning(stack.pids.worker)).toBe(false);
      expect(await answers(stack.workerUrl)).toBe(false);
    },
    STACK_TEST_TIMEOUT_MS,
  );

  it(
    'gives up on a worker that fails to start again and again, showing its last lines, and exits non-zero',
    async () => {
      const result = await startLocalStackProcess({
        STIPPLE_STATE_DIR: await stateFolder(),
        PORT: String(await freePort()),
        // Inherited by the worker, which refuses it before it listens.
        MAX_QUEUED_JOBS: 'nope',
      }).then(
        (stack) => {
          started.push(stack);
          return 'started';
        },
        (error: Error) => error.message,
      );
      expect(result).toContain('npm start exited with 1 before it was ready');
      expect(result).toMatch(/\[stack\] worker exited with code 1; restarting it on \S+ in 8 s \(restart 4\)\n/);
      expect(result).not.toContain('(restart 5)');
      expect(result).toMatch(
        /\[stack\] the worker exited with code 1; its last lines:\n[\s\S]*MAX_QUEUED_JOBS is "nope"; use an integer/,
      );
    },
    STACK_TEST_TIMEOUT_MS,
  );

  it(
    'refuses a DEV_API_KEY that is not shaped like a Stipple key, naming the problem',
    async () => {
      const result = await startLocalStackProcess({
        STIPPLE_STATE_DIR: await stateFolder(),
        PORT: String(await freePort()),
        DEV_API_KEY: 'sk_test_tooShort',
      }).then(
        () => 'started',
        (error: Error) => error.message,
      );
      expect(result).toContain('has 8 characters after sk_test_; use exactly 43');
    },
    STACK_TEST_TIMEOUT_MS,
  );
});
