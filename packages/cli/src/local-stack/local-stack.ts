import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StippleError } from '@stipple/core';
import { ensureDevKey } from './dev-key.ts';
import { type LocalStackState, loadOrCreateState, writeLocalStackState } from './local-stack-state.ts';
import { readableLogLine } from './log-line.ts';
import { startRestartingChild } from './restarting-child.ts';
import { S3RVER_CREDENTIALS, startS3Store } from './s3-store.ts';
import { keptPort, requireFreeRouterPort, S3_PORT, WORKER_PORT } from './stack-ports.ts';
import { lockStateDirectory } from './state-lock.ts';
import { type ChildExit, exitStatus, type SupervisedChild, startChild } from './supervised-child.ts';
import { waitUntilReady } from './wait-until-ready.ts';

const REPOSITORY_ROOT = resolve(import.meta.dirname, '../../../..');
const WORKER_MAIN = join(REPOSITORY_ROOT, 'functions/gpu-worker/src/main.ts');
const ROUTER_MAIN = join(import.meta.dirname, 'router-main.ts');
const EXIT_WITH_PARENT = pathToFileURL(join(import.meta.dirname, 'exit-with-parent.mjs')).href;

/** The bucket the router's wrangler.jsonc names (`S3_BUCKET`). */
const BUCKET = 'stipple-outputs';
/** How long the worker and the router may take to answer, seconds: generous, for a busy machine. */
const READY_TIMEOUT_MS = 90_000;
/** How long a running job may finish when the stack stops, seconds (the worker's `SHUTDOWN_GRACE_SECONDS`). */
const WORKER_SHUTDOWN_GRACE_SECONDS = 5;
/** How long a child may take to stop before it is killed, milliseconds. */
const STOP_GRACE_MS = (WORKER_SHUTDOWN_GRACE_SECONDS + 5) * 1000;

export interface LocalStackOptions {
  /** The router's port on 127.0.0.1 (`PORT`, default 8787). */
  port: number;
  /** The state folder (`STIPPLE_STATE_DIR`, default `.stipple/`). */
  stateDir: string;
  /** `DEV_API_KEY`: the development key to use instead of a generated one. */
  devApiKey?: string;
  /** Where each readable log line goes, e.g. `[worker] job_started …`. */
  log(line: string): void;
  /**
   * The router's `PROVIDERS` instead of the local gpu-worker (docs/router.md), for a bench that stands something else
   * in for it (`npm run load`); given, no gpu-worker is started.
   */
  providers?: unknown[];
  /** Bench only: the router's workerd logs each Durable Object call (`[router] durable_object_call class=… method=…`). */
  countDurableObjectCalls?: boolean;
}

export interface LocalStack {
  /** The router, e.g. `http://127.0.0.1:8787`. */
  url: string;
  devKey: NonNullable<LocalStackState['devKey']>;
  /** The development tenant's balance when the stack became ready. */
  credits: number;
  /**
   * The children, for the curious (and for tests that kill them or check they are gone). The worker's `pid` is its
   * current process's: a worker that crashes is started again on the same URL.
   */
  children: { name: string; readonly pid: number; url: string }[];
  /** Settles when the router exits, or the worker fails to start again and again: the stack is broken and should stop. */
  crashed: Promise<ChildExit>;
  /** Stops the router, then the worker (a waiting restart with it), then the object store; resolves once all are gone. */
  stop(): Promise<void>;
}

/** A child that exited on its own, with its exit status and last words. */
export class ChildCrashError extends StippleError {
  constructor(readonly exit: ChildExit) {
    const status = exitStatus(exit);
    super(
      'local_stack_child_crashed',
      `the ${exit.name} exited with ${status}; its last lines:\n${exit.lastLines.map((line) => `  ${line}`).join('\n')}`,
    );
  }
}

/**
 * The local stack: s3rver on the state folder, the gpu-worker on the CPU with the default model (unless `providers`
 * names others), and the router in workerd with local-development settings, wired together; then the development key.
 * One stack per state folder.
 * Resolves once every part answers; rejects (having stopped what it started) when one does not.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const url = `http://127.0.0.1:${options.port}`;
  const lock = lockStateDirectory(options.stateDir, url);
  try {
    return await startLockedStack(options, url, lock.release);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startLockedStack(options: LocalStackOptions, url: string, unlock: () => void): Promise<LocalStack> {
  const { stateDir, log } = options;
  await requireFreeRouterPort(options.port);
  const saved = loadOrCreateState(stateDir);
  // The worker's and the store's ports stay the same from one start to the next (stack-ports.ts says why).
  const workerPort = await keptPort(saved.workerPort, WORKER_PORT, stateDir);
  const s3Port = await keptPort(saved.s3Port, S3_PORT, stateDir);
  const s3 = await startS3Store(join(stateDir, 's3'), [BUCKET], s3Port);
  const state = { ...saved, workerPort, s3Port: Number(new URL(s3.endpoint).port) };
  writeLocalStackState(stateDir, state);
  log(`[s3] serving ${join(stateDir, 's3')} at ${s3.endpoint}`);
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  const nodeChild = (name: string, main: string, env: Record<string, string>): SupervisedChild =>
    startChild({
      name,
      command: process.execPath,
      args: ['--import', 'tsx', '--import', EXIT_WITH_PARENT, main],
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, ...env },
      formatLine: readableLogLine,
      onLine: (line) => log(`[${name}] ${line}`),
    });
  const workerEnv = {
    PORT: String(workerPort),
    // Loopback only: on a laptop the worker is nobody else's business (its default suits containers).
    HOST: '127.0.0.1',
    WORKER_SECRET: state.workerSecret,
    S3_ENDPOINT: s3.endpoint,
    S3_CONDITIONAL_WRITES: 'false',
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    SHUTDOWN_GRACE_SECONDS: String(WORKER_SHUTDOWN_GRACE_SECONDS),
    // The AWS SDK's seven-line notice about Node 22, on every start, is no news to someone starting the stack.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const startWorker = () => {
    const child = nodeChild('worker', WORKER_MAIN, workerEnv);
    log(`[worker] starting on ${workerUrl} (pid ${child.pid})`);
    return child;
  };
  // Like a platform: a worker that dies comes back on the same URL, the one the router's PROVIDERS names.
  const worker = options.providers
    ? undefined
    : startRestartingChild(startWorker, ({ exit, count, delayMs }) =>
        log(
          `[stack] worker exited with ${exitStatus(exit)}; restarting it on ${workerUrl} in ${delayMs / 1000} s (restart ${count})`,
        ),
      );
  const providers = options.providers ?? [{ type: 'http', id: 'local', url: workerUrl, models: ['tiny-shapes'] }];
  const router = nodeChild('router', ROUTER_MAIN, {
    ROUTER_PORT: String(options.port),
    ROUTER_PERSIST_DIR: join(stateDir, 'router'),
    ...(options.countDurableObjectCalls && { ROUTER_COUNT_DURABLE_OBJECT_CALLS: '1' }),
    STIPPLE_ROUTER_BINDINGS: JSON.stringify({
      ADMIN_SECRET: state.adminSecret,
      WORKER_SECRET: state.workerSecret,
      TOKEN_SIGNING_SECRET: state.tokenSigningSecret,
      PROVIDERS: JSON.stringify(providers),
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: BUCKET,
      S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      // Local development: webhooks may go to http://127.0.0.1 receivers.
      ALLOW_LOCAL_WEBHOOKS: 'true',
    }),
  });
  log(`[router] starting on ${url} (pid ${router.pid})`);

  let stopping = false;
  const crashed = new Promise<ChildExit>((resolveCrash, reject) => {
    void router.exited.then((exit) => stopping || resolveCrash(exit));
    worker?.gaveUp.then(resolveCrash, reject);
  });
  const stop = async () => {
    stopping = true;
    await router.stop(STOP_GRACE_MS);
    await worker?.stop(STOP_GRACE_MS);
    await s3.stop();
    unlock();
  };
  try {
    const crashedEarly = crashed.then((exit) => Promise.reject(new ChildCrashError(exit)));
    await Promise.race([
      crashedEarly,
      Promise.all([
        worker && waitUntilReady('worker', `${workerUrl}/ping`, crashed, READY_TIMEOUT_MS),
        waitUntilReady('router', `${url}/openapi.json`, crashed, READY_TIMEOUT_MS),
      ]),
    ]);
    const { devKey, credits } = await ensureDevKey({ url, secret: state.adminSecret }, state.devKey, options.devApiKey);
    writeLocalStackState(stateDir, { ...state, url, devKey });
    return {
      url,
      devKey,
      credits,
      children: [
        { name: 'router', pid: router.pid, url },
        ...(worker
          ? [
              {
                name: 'worker',
                get pid() {
                  return worker.pid;
                },
                url: workerUrl,
              },
            ]
          : []),
      ],
      crashed,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
