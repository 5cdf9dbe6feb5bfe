/**
 * The real parts of a job's path, each restartable in place so a fault can be injected and undone: s3rver, the
 * gpu-worker process and the router in workerd (packages/cli/src/local-stack/router-in-workerd.ts, as the local
 * stack runs it). Every part keeps its loopback port across restarts, because
 * the others were told that address once (PROVIDERS, PUBLIC_URL, S3_ENDPOINT); the router keeps its Durable Objects
 * in a folder that outlives a restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tinyShapesRouterBindings } from '@stipple/test-support/router-bindings';
import { S3RVER_CREDENTIALS } from '@stipple/test-support/s3-server';
import { freePort } from '@stipple/test-support/worker-process';
import { type RouterInWorkerd, startRouterInWorkerd } from '../../packages/cli/src/local-stack/router-in-workerd.ts';

export const ADMIN_SECRET = 'chaos-admin-secret-0123456789abcdef0123';
export const WORKER_SECRET = 'chaos-worker-secret-0123456789';
const TOKEN_SIGNING_SECRET = 'chaos-token-signing-secret-0123456789abcdef';
export const BUCKET = 'chaos-results';
/** The router's default `S3_KEY_PREFIX` (functions/router/wrangler.jsonc). */
export const KEY_PREFIX = 'outputs';
/** How long a part may take to come up: a worker loads its model, esbuild bundles the router. */
const START_TIMEOUT_MS = 45_000;

const WORKER_MAIN = resolve(import.meta.dirname, '../../functions/gpu-worker/src/main.ts');

/** Terminal colours, which Miniflare puts around warnings. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
/** Lines too many to read in a failure's message: the router's one line per request, the worker's lost progress posts. */
const CHATTER = ['"event":"request"', '"event":"callback_failed"'];

/** Every part's log lines, in order, each prefixed with its part (`[worker]`, `[router]`, `[chaos]`). */
export class ChaosLog {
  readonly lines: string[] = [];

  add(part: string, text: string): void {
    for (const line of text.replace(ANSI_COLOUR, '').split('\n')) if (line.trim()) this.lines.push(`[${part}] ${line}`);
  }

  /** The lines that mention `needle` (a job id), less the chatter, for a failure's message. */
  about(needle: string): string {
    return this.lines
      .filter((line) => line.includes(needle) && !CHATTER.some((chatter) => line.includes(chatter)))
      .join('\n');
  }
}

/**
 * s3rver on a fixed port over a folder that survives `stop()`, so it can come back with its objects (the shared
 * `startS3Server` takes an ephemeral port and deletes its folder when stopped).
 */
export class RestartableS3 {
  private server: { close(): Promise<void>; httpServer?: Server } | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async create(): Promise<RestartableS3> {
    return new RestartableS3(await freePort(), await mkdtemp(join(tmpdir(), 'stipple-chaos-s3-')));
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    // s3rver ships no ES module entry nor types (as packages/cli/src/local-stack/s3-store.ts loads it).
    const S3rver = createRequire(import.meta.url)('s3rver');
    const server = new S3rver({
      address: '127.0.0.1',
      port: this.port,
      directory: this.dir,
      silent: true,
      configureBuckets: [{ name: BUCKET }],
    });
    await server.run();
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    // Idle keep-alive sockets would hold close() open until they time out.
    server?.httpServer?.closeAllConnections();
    await server?.close();
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * The real gpu-worker process (functions/gpu-worker/src/main.ts), always on the same loopback port, so the router's
 * PROVIDERS entry stays right (the shared `startWorker` picks a new free port on every start).
 */
export class WorkerSlot {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly log: ChaosLog,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts a worker and waits for `GET /ping` 200 (its model loaded). */
  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.log.add('chaos', `worker starting on ${this.url} (pid ${child.pid})`);
    for (const stream of [child.stdout, child.stderr]) {
      // Chunks may end mid-line: only whole lines go to the log, the rest when the stream ends.
      let partial = '';
      stream?.on('data', (chunk) => {
        const lines = (partial + String(chunk)).split('\n');
        partial = lines.pop() ?? '';
        this.log.add('worker', lines.join('\n'));
      });
      stream?.on('end', () => this.log.add('worker', partial));
    }
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await answers(`${this.url}/ping`))) {
      if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`the worker did not answer /ping within ${START_TIMEOUT_MS} ms`);
      await sleep(100);
    }
  }

  /** Sends `signal` and resolves once the process has exited and its last log lines are in. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('close', done));
    this.log.add('chaos', `worker ${child.pid}: ${signal}`);
    child.kill(signal);
    await exited;
  }
}

async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.ok,
    () => false,
  );
}

/** The router in workerd on a fixed port, its Durable Objects persisted in a folder that outlives a restart. */
export class RouterSlot {
  private router: RouterInWorkerd | undefined;

  private constructor(
    readonly port: number,
    readonly persistDir: string,
    private readonly bindings: Record<string, string>,
    private readonly log: ChaosLog,
  ) {}

  static async create(bindings: (routerUrl: string) => Record<string, string>, log: ChaosLog): Promise<RouterSlot> {
    const port = await freePort();
    const persistDir = await mkdtemp(join(tmpdir(), 'stipple-chaos-router-'));
    return new RouterSlot(port, persistDir, bindings(`http://127.0.0.1:${port}`), log);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.router !== undefined;
  }

  async start(): Promise<void> {
    this.router = await startRouterInWorkerd({
      port: this.port,
      persistDir: this.persistDir,
      bindings: this.bindings,
      onLine: (line) => this.log.add('router', line),
    });
  }

  async stop(): Promise<void> {
    const router = this.router;
    this.router = undefined;
    await router?.stop();
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.persistDir, { recursive: true, force: true });
  }
}

/** The whole stack: s3rver, one worker slot and the router, wired to one another on loopback. */
export interface ChaosStack {
  log: ChaosLog;
  s3: RestartableS3;
  worker: WorkerSlot;
  router: RouterSlot;
  stop(): Promise<void>;
}

export async function startChaosStack(): Promise<ChaosStack> {
  const log = new ChaosLog();
  const s3 = await RestartableS3.create();
  await s3.start();
  const worker = new WorkerSlot(
    await freePort(),
    {
      WORKER_SECRET,
      S3_ENDPOINT: s3.endpoint,
      // s3rver 3.7 ignores `If-None-Match` on PUT (@stipple/test-support/s3-server).
      S3_CONDITIONAL_WRITES: 'false',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      // Every SIGTERM here is a drain that hands its running jobs back at once.
      SHUTDOWN_GRACE_SECONDS: '0',
    },
    log,
  );
  const router = await RouterSlot.create(
    (routerUrl) => ({
      ADMIN_SECRET,
      WORKER_SECRET,
      TOKEN_SIGNING_SECRET,
      ...tinyShapesRouterBindings(worker.url, s3.endpoint, BUCKET),
      ALLOW_LOCAL_WEBHOOKS: 'true',
      PUBLIC_URL: routerUrl,
    }),
    log,
  );
  const stop = async () => {
    await router.destroy().catch(() => undefined);
    await worker.kill('SIGKILL');
    await s3.destroy();
  };
  try {
    await Promise.all([worker.start(), router.start()]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { log, s3, worker, router, stop };
}
