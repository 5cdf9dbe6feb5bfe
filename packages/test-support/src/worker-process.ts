import { type ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const MAIN = resolve(import.meta.dirname, '../../../functions/gpu-worker/src/main.ts');

export interface WorkerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the worker printed (its JSON log lines). */
  output: () => string;
  stop(): Promise<void>;
}

/** A loopback port that was free a moment ago (nothing listens on it until someone binds it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** Starts the real gpu-worker (`functions/gpu-worker/src/main.ts`) on a free loopback port and waits for `/ping`. */
export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/ping`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`the worker did not answer /ping within 30 s:\n${output}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    url,
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** Resolves once the worker has printed `text` (a log line fragment such as `"job_started"`). */
export async function waitForOutput(worker: Pick<WorkerProcess, 'output'>, text: string): Promise<void> {
  while (!worker.output().includes(text)) await new Promise((done) => setTimeout(done, 20));
}

/**
 * `GET /ping` on a connection of its own, resolving to its status: a kept-alive one may be closed by the server's idle
 * timer the moment a stalled event loop comes back, which would fail the next ping for a reason not being measured.
 */
export function pingOnOwnConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${url}/ping`, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode!));
    }).on('error', reject);
  });
}
