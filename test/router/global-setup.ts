import { readFile } from 'node:fs/promises';
/**
 * Runs in Node before the router's workerd tests: a real S3-protocol server, a real gpu-worker process (serving
 * tiny-shapes and the `safety-checker` fixture, whose checker flags a known image), a webhook receiver, a moderation
 * endpoint speaking OpenAI's protocol (`moderation-server.ts`) and a worker that never starts a job
 * (`stalled-worker.ts`) on loopback, whose addresses become the router's bindings (vitest.config.ts, project "router").
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startModerationServer } from '@stipple/test-support/moderation-server';
import { startS3Server } from '@stipple/test-support/s3-server';
import { startStalledWorker } from '@stipple/test-support/stalled-worker';
import { freePort, startWorker } from '@stipple/test-support/worker-process';
import type { TestProject } from 'vitest/node';
import { fixtureModel } from '../fixture-models.ts';

export const ROUTER_TEST_WORKER_SECRET = 'router-test-worker-secret-0123';
/** The id the router's tests give the `safety-checker` fixture (vitest.config.ts lists it in MODELS and PROVIDERS). */
const SAFETY_CHECKED_MODEL = 'safety-checker';

/** A request the webhook receiver recorded. */
export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
}

/**
 * A webhook receiver that tests drive over HTTP, one named box per test: `POST /hooks/{box}` is recorded and answered
 * with the next status `PUT /script/{box}` queued (a JSON array; then 200; a 3xx redirects to `/hooks/{box}-followed`),
 * and `GET /requests/{box}` lists what the box received.
 */
async function startWebhookReceiver(): Promise<{ url: string; stop: () => Promise<void> }> {
  const boxes = new Map<string, { script: number[]; received: ReceivedWebhook[] }>();
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const [, kind, name] = /^\/(hooks|script|requests)\/([\w-]+)$/.exec(request.url ?? '') ?? [];
    if (!name) return void response.writeHead(404).end();
    const box = boxes.get(name) ?? { script: [], received: [] };
    boxes.set(name, box);
    if (kind === 'script') {
      box.script = JSON.parse(body) as number[];
      return void response.writeHead(204).end();
    }
    if (kind === 'requests') {
      return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(box.received));
    }
    box.received.push({ headers: request.headers as Record<string, string>, body });
    const status = box.script.shift() ?? 200;
    response.writeHead(status, status >= 300 && status < 400 ? { location: `/hooks/${name}-followed` } : {}).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const s3 = await startS3Server({ buckets: ['results'] });
  const worker = await startWorker({
    ...s3.env,
    WORKER_SECRET: ROUTER_TEST_WORKER_SECRET,
    MODEL_REGISTRY: JSON.stringify({ models: { [SAFETY_CHECKED_MODEL]: fixtureModel('safety-checker') } }),
  });
  project.provide('routerS3Endpoint', s3.endpoint);
  // The port the router under test listens on (vitest.config.ts), for the worker's event callbacks.
  project.provide('routerCallbackPort', await freePort());
  project.provide('routerWorkerUrl', worker.url);
  const receiver = await startWebhookReceiver();
  project.provide('routerWebhookReceiverUrl', receiver.url);
  const moderation = await startModerationServer();
  project.provide('routerModerationUrl', moderation.url);
  const stalled = await startStalledWorker();
  project.provide('routerStalledWorkerUrl', stalled.url);
  // Another, whose health the provider-health tests switch off and on without disturbing the others.
  const flaky = await startStalledWorker();
  project.provide('routerFlakyWorkerUrl', flaky.url);
  // The published table of Durable Object round trips that object-hops.workerd.test.ts checks (workerd reads no files).
  project.provide(
    'routerArchitectureDoc',
    await readFile(new URL('../../docs/ARCHITECTURE.md', import.meta.url), 'utf8'),
  );
  return async () => {
    await flaky.stop();
    await stalled.stop();
    await moderation.stop();
    await receiver.stop();
    await worker.stop();
    await s3.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    routerS3Endpoint: string;
    routerCallbackPort: number;
    routerWorkerUrl: string;
    routerWebhookReceiverUrl: string;
    routerStalledWorkerUrl: string;
    routerModerationUrl: string;
    routerFlakyWorkerUrl: string;
    routerArchitectureDoc: string;
  }
}
