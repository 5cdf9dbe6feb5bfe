/**
 * The router Worker (functions/router) in workerd, the one way this repository runs it outside the test pool: bundled
 * with esbuild as `wrangler deploy` bundles it (its playground assets built first), configured from its wrangler.jsonc by wrangler's own
 * `unstable_getMiniflareWorkerOptions` (Durable Objects, migrations, compatibility date), and served by Miniflare
 * straight from workerd's socket. `wrangler dev` (`unstable_startWorker`) puts a second workerd and its Node process in
 * front of every request as a proxy for live reload; on the local stack that proxy cost more CPU per job than the
 * router itself (bench:router, issue 13), and nothing here reloads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { build } from 'esbuild';
import { Log, LogLevel, Miniflare, type WorkerOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { buildPlayground } from '../../../../functions/router/build-playground.ts';
import { relayInBatches } from './batched-relay.ts';
import { DURABLE_OBJECT_CALL_LOG, durableObjectCallLogger } from './durable-object-call-log.ts';

const ROUTER_CONFIG = resolve(import.meta.dirname, '../../../../functions/router/wrangler.jsonc');

export interface RouterInWorkerdOptions {
  /** Loopback port to listen on; 0 for a free one. */
  port: number;
  /** Where the Durable Objects keep their state across restarts (wrangler's `--persist-to` layout); none = in memory. */
  persistDir?: string;
  /** Plain-text bindings over the wrangler.jsonc `vars` (secrets, PROVIDERS, S3_ENDPOINT, …). */
  bindings: Record<string, string>;
  /** Each line the router writes (its JSON logs); by default they go to this process's stdout and stderr, in batches. */
  onLine?: (line: string) => void;
  /** Bench only: a tail Worker logs one line per Durable Object call (durable-object-call-log.ts). Default off. */
  countDurableObjectCalls?: boolean;
}

/** The router bundled as `wrangler deploy` bundles it, as Miniflare worker options; `remove()` deletes the bundle. */
export interface RouterBundle {
  worker: WorkerOptions;
  remove(): Promise<void>;
}

export interface RouterInWorkerd {
  /** `http://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

/** An `onLine` for tests: only the router's error lines reach stderr, the rest (one line per request) is dropped. */
export function printErrorLines(line: string): void {
  if (line.includes('"level":"error"')) console.error(line);
}

function forwardLines(stream: Readable, onLine: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onLine);
}

/** Bundles a Worker's `entry` into one ES module at `outfile` as wrangler does for workerd. */
export async function bundleForWorkerd(entry: string, outfile: string, define?: Record<string, string>): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2024',
    // What wrangler resolves for workerd: the packages' worker/browser builds, never their Node ones.
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    external: ['cloudflare:*'],
    define,
    logLevel: 'warning',
  });
}

/**
 * Bundles the router into a temporary folder: its playground assets built first, its wrangler.jsonc read by wrangler
 * (Durable Objects, migrations, compatibility date). Also for benches that run the router's objects beside their own
 * Worker in one workerd (Durable Object bindings with `scriptName` set to the router's `name`).
 */
export async function bundleRouter(): Promise<RouterBundle> {
  // The playground's script and stylesheet are static assets bundled from its TypeScript: built afresh on every start.
  await buildPlayground();
  const { workerOptions, main, define } = unstable_getMiniflareWorkerOptions(ROUTER_CONFIG);
  if (!main) throw new Error(`${ROUTER_CONFIG} names no "main" module`);
  const bundleDir = await mkdtemp(join(tmpdir(), 'stipple-router-bundle-'));
  const remove = () => rm(bundleDir, { recursive: true, force: true });
  try {
    await bundleForWorkerd(main, join(bundleDir, 'index.js'), define);
  } catch (error) {
    await remove();
    throw error;
  }
  const worker = {
    ...(workerOptions as WorkerOptions),
    modules: true,
    modulesRoot: bundleDir,
    scriptPath: join(bundleDir, 'index.js'),
  } as WorkerOptions;
  return { worker, remove };
}

/** Bundles the router (into a temporary folder, removed on stop) and serves it until `stop()`. */
export async function startRouterInWorkerd(options: RouterInWorkerdOptions): Promise<RouterInWorkerd> {
  const bundle = await bundleRouter();
  let miniflare: Miniflare | undefined;
  try {
    const { onLine } = options;
    // Without `onLine`, workerd's output goes on to this process's in batches (batched-relay.ts).
    const relays: { flush(): void }[] = [];
    const router = { ...bundle.worker, bindings: { ...bundle.worker.bindings, ...options.bindings } } as WorkerOptions;
    const tail = options.countDurableObjectCalls
      ? durableObjectCallLogger(router.compatibilityDate ?? '2026-04-01')
      : undefined;
    miniflare = new Miniflare({
      host: '127.0.0.1',
      port: options.port,
      defaultPersistRoot: options.persistDir === undefined ? undefined : join(options.persistDir, 'v3'),
      // The router logs each request itself (one JSON line); Miniflare's own request lines would say it twice.
      logRequests: false,
      // Offline: the placeholder `request.cf`, never a download of Cloudflare's.
      cf: false,
      log: new Log(LogLevel.WARN),
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
        if (onLine) {
          forwardLines(stdout, onLine);
          forwardLines(stderr, onLine);
        } else relays.push(relayInBatches(stdout, process.stdout), relayInBatches(stderr, process.stderr));
      },
      workers: tail ? [{ ...router, streamingTails: [DURABLE_OBJECT_CALL_LOG] } as WorkerOptions, tail] : [router],
    });
    const url = (await miniflare.ready).origin;
    const running = miniflare;
    return {
      url,
      stop: async () => {
        await running.dispose();
        for (const relay of relays) relay.flush();
        await bundle.remove();
      },
    };
  } catch (error) {
    await miniflare?.dispose().catch(() => {});
    await bundle.remove();
    throw error;
  }
}
