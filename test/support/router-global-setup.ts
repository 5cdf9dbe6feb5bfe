/**
 * Runs in Node before the router's workerd tests: a real S3-protocol server and a real gpu-worker process on loopback,
 * whose addresses become the router's bindings (vitest.config.ts, project "router").
 */
import type { TestProject } from 'vitest/node';
import { startS3Server } from './s3-server.ts';
import { startWorker } from './worker-process.ts';

export const ROUTER_TEST_WORKER_SECRET = 'router-test-worker-secret-0123';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const s3 = await startS3Server({ buckets: ['results'] });
  const worker = await startWorker({ ...s3.env, WORKER_SECRET: ROUTER_TEST_WORKER_SECRET });
  project.provide('routerS3Endpoint', s3.endpoint);
  project.provide('routerWorkerUrl', worker.url);
  return async () => {
    await worker.stop();
    await s3.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    routerS3Endpoint: string;
    routerWorkerUrl: string;
  }
}
