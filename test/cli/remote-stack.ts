/**
 * The whole remote stack on loopback for CLI tests: a real s3rver, a real gpu-worker process and the real router in
 * workerd (packages/cli/src/local-stack/router-in-workerd.ts, as the local stack runs it), wired as test/router/global-setup.ts and vitest.config.ts wire
 * the router's own tests.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { tinyShapesRouterBindings } from '@stipple/test-support/router-bindings';
import { s3ClientFor, startS3Server } from '@stipple/test-support/s3-server';
import { startWorker } from '@stipple/test-support/worker-process';
import {
  printErrorLines,
  type RouterInWorkerd,
  startRouterInWorkerd,
} from '../../packages/cli/src/local-stack/router-in-workerd.ts';

const ADMIN_SECRET = 'cli-remote-admin-secret-0123456789abcdef';
const WORKER_SECRET = 'cli-remote-worker-secret-0123';
/** The bucket the router tells workers to write to. */
export const RESULTS_BUCKET = 'results';

export interface RemoteStack {
  /** The router's origin, e.g. `http://127.0.0.1:40123`. */
  url: string;
  s3Client(): S3Client;
  /** Makes a tenant's API key through the admin API and grants it credits; returns the key. */
  createKey(tenant: string, credits: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startRemoteStack(): Promise<RemoteStack> {
  const s3 = await startS3Server({ buckets: [RESULTS_BUCKET] });
  const worker = await startWorker({ ...s3.env, WORKER_SECRET }).catch(async (error) => {
    await s3.stop();
    throw error;
  });
  let router: RouterInWorkerd;
  try {
    router = await startRouterInWorkerd({
      port: 0,
      bindings: {
        ADMIN_SECRET,
        WORKER_SECRET,
        ...tinyShapesRouterBindings(worker.url, s3.endpoint, RESULTS_BUCKET),
      },
      onLine: printErrorLines,
    });
  } catch (error) {
    await worker.stop();
    await s3.stop();
    throw error;
  }
  const { url } = router;
  const admin = async (path: string, body: unknown) => {
    const response = await fetch(`${url}/v1/admin${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`admin ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  return {
    url,
    s3Client: () => s3ClientFor(s3),
    async createKey(tenant, credits) {
      const created = await admin(`/tenants/${tenant}/keys`, { mode: 'live' });
      await admin(`/tenants/${tenant}/credits`, { credits });
      return created.key as string;
    },
    async stop() {
      await router.stop();
      await worker.stop();
      await s3.stop();
    },
  };
}
