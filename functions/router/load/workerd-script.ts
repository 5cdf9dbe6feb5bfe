/**
 * Runs a Worker in workerd as the local stack runs the router (router-in-workerd.ts): bundled by esbuild for workerd
 * and served by Miniflare on loopback, offline, without Miniflare's request log.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Log, LogLevel, Miniflare, type WorkerOptions } from 'miniflare';
import { freePort } from '../../../packages/cli/src/local-stack/loopback-port.ts';
import { bundleForWorkerd } from '../../../packages/cli/src/local-stack/router-in-workerd.ts';

/** Miniflare's options for a server like the router's: loopback, offline, quiet. */
export async function routerLikeServer(workers: WorkerOptions[]): Promise<Miniflare> {
  const miniflare = new Miniflare({
    host: '127.0.0.1',
    port: await freePort(),
    logRequests: false,
    cf: false,
    log: new Log(LogLevel.WARN),
    workers,
  });
  await miniflare.ready;
  return miniflare;
}

/**
 * `entry` bundled for workerd and served with `bindings` and `durableObjects` (binding name → exported class, kept in
 * memory); `stop()` ends it and removes the bundle.
 */
export async function startWorkerScript(
  entry: string,
  bindings: Record<string, string>,
  compatibilityDate: string,
  durableObjects: Record<string, string> = {},
) {
  const bundleDir = await mkdtemp(join(tmpdir(), 'stipple-load-worker-'));
  try {
    await bundleForWorkerd(entry, join(bundleDir, 'index.js'));
    const miniflare = await routerLikeServer([
      {
        modules: true,
        modulesRoot: bundleDir,
        scriptPath: join(bundleDir, 'index.js'),
        bindings,
        durableObjects,
        compatibilityDate,
      },
    ]);
    const url = (await miniflare.ready).origin;
    return {
      url,
      stop: async () => {
        await miniflare.dispose();
        await rm(bundleDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(bundleDir, { recursive: true, force: true });
    throw error;
  }
}
