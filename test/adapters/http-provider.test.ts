import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EdgeStorage, HttpProvider, ProviderError } from '@stipple/adapters';
import { jobSchema } from '@stipple/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from '../support/s3-server.ts';
import { testImageProvider, waitForState } from '../support/test-image-provider.ts';
import { freePort, startWorker, type WorkerProcess } from '../support/worker-process.ts';

const SECRET = 'adapters-test-secret-0123';
const BUCKET = 'results';

let s3: S3Server;
let worker: WorkerProcess;
let storage: EdgeStorage;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  worker = await startWorker({ ...s3.env, WORKER_SECRET: SECRET });
  storage = new EdgeStorage({ endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS });
});
afterAll(async () => {
  await worker?.stop();
  await s3?.stop();
});

testImageProvider('the http provider against a real gpu-worker', async () => ({
  provider: new HttpProvider({ id: 'local-worker', url: worker.url, secret: SECRET, storage }),
  storage,
  bucket: BUCKET,
  keyPrefix: 'http-conformance',
}));

function job(jobId: string, steps = 4) {
  return jobSchema.parse({
    jobId,
    tenantId: 'acme',
    modelId: 'tiny-shapes',
    parameters: { prompt: 'a blue square', steps, seed: 3 },
    output: { bucket: BUCKET, keyPrefix: 'http-provider' },
  });
}

/**
 * A platform's gateway in front of the worker, as RunPod's load balancer is: it refuses requests without the API key
 * and passes the rest through, streaming.
 */
async function startGateway(target: string, token: string) {
  const seen: { method?: string; path?: string; authorized: boolean }[] = [];
  const gateway = createServer((request, response) => {
    const authorized = request.headers.authorization === token;
    seen.push({ method: request.method, path: request.url, authorized });
    if (!authorized) {
      response.writeHead(401, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ error: { code: 'gateway_unauthorized', message: 'missing API key' } }));
    }
    const upstream = httpRequest(
      new URL(request.url ?? '/', target),
      { method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    request.pipe(upstream);
  });
  await new Promise<void>((done) => gateway.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`, seen, close: () => gateway.close() };
}

describe('the http provider', () => {
  it('sends the platform’s token header with every request', async () => {
    const gateway = await startGateway(worker.url, 'Bearer rp-key-0123');
    try {
      const providerToken = { header: 'authorization', value: 'Bearer rp-key-0123' };
      const provider = new HttpProvider({ id: 'runpod', url: gateway.url, secret: SECRET, providerToken });
      expect(await provider.health()).toEqual({ healthy: true, detail: 'ready' });
      expect((await provider.capabilities()).models).toContain('tiny-shapes');
      const { handle } = await provider.submit({ job: job('token-1') });
      expect((await waitForState(provider, handle, ['succeeded'])).state).toBe('succeeded');
      expect(await provider.cancel({ handle })).toMatchObject({ cancelled: false });
      expect(gateway.seen.map(({ method, path }) => `${method} ${path}`)).toEqual([
        'GET /ping',
        'GET /v1/models',
        'POST /invocations',
        'DELETE /v1/jobs/token-1',
      ]);
      expect(gateway.seen.every((request) => request.authorized)).toBe(true);
      const without = new HttpProvider({ id: 'runpod', url: gateway.url, secret: SECRET });
      await expect(without.submit({ job: job('token-2') })).rejects.toMatchObject({
        httpStatus: 401,
        neverStarted: false,
      });
    } finally {
      gateway.close();
    }
  });

  it('proves a refused connection never started the job', async () => {
    const provider = new HttpProvider({ id: 'nowhere', url: `http://127.0.0.1:${await freePort()}`, secret: SECRET });
    const error = await provider.submit({ job: job('refused-1') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'provider_unreachable', neverStarted: true, isRetryable: true });
    expect(await provider.health()).toMatchObject({ healthy: false });
  });

  it('is refused with the worker secret wrong: unauthorized, never started, not retryable', async () => {
    const provider = new HttpProvider({ id: 'wrong-secret', url: worker.url, secret: 'not-the-worker-secret' });
    const error = await provider.submit({ job: job('unauthorized-1') }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'provider_unauthorized',
      neverStarted: true,
      isRetryable: false,
      httpStatus: 401,
    });
  });

  it('reports queued while the worker holds the job for a slot, and is refused busy with Retry-After when full', async () => {
    const busy = await startWorker({
      ...s3.env,
      WORKER_SECRET: SECRET,
      MAX_CONCURRENT_JOBS: '1',
      MAX_QUEUED_JOBS: '1',
    });
    try {
      const provider = new HttpProvider({
        id: 'busy-worker',
        url: busy.url,
        secret: SECRET,
        queuedAfterMs: 300,
        storage,
      });
      const long = await provider.submit({ job: job('long-1', 1000) });
      expect((await waitForState(provider, long.handle, ['running'])).state).toBe('running');
      const waiting = await provider.submit({ job: job('waiting-1') });
      expect(waiting.state).toBe('queued');
      expect((await provider.status({ handle: waiting.handle })).state).toBe('queued');
      const refused = await provider.submit({ job: job('refused-busy-1') }).catch((caught: unknown) => caught);
      expect(refused).toMatchObject({ code: 'provider_busy', neverStarted: true, isRetryable: true, httpStatus: 429 });
      expect((refused as ProviderError).retryAfterMs).toBeGreaterThanOrEqual(1000);
      expect(await provider.cancel({ handle: long.handle })).toMatchObject({ cancelled: true });
      expect((await waitForState(provider, waiting.handle, ['succeeded'])).state).toBe('succeeded');
    } finally {
      await busy.stop();
    }
  });

  it('reports per-step progress of a running job, with the latest preview', async () => {
    const provider = new HttpProvider({ id: 'progress', url: worker.url, secret: SECRET });
    const { handle } = await provider.submit({ job: { ...job('progress-1', 1000), previewEvery: 2 } });
    let status = await waitForState(provider, handle, ['running']);
    while (status.state === 'running' && (status.progress?.step ?? 0) < 3) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      status = await provider.status({ handle });
    }
    expect(status.progress?.totalSteps).toBe(1000);
    expect(status.progress?.step).toBeGreaterThanOrEqual(3);
    expect(status.progress?.preview?.images[0]).toMatch(/^data:image\/png;base64,/);
    await provider.cancel({ handle });
    expect((await waitForState(provider, handle, ['cancelled'])).state).toBe('cancelled');
  });

  it('answers status from the stored manifest for a job another instance submitted', async () => {
    const first = new HttpProvider({ id: 'shared', url: worker.url, secret: SECRET });
    const { handle } = await first.submit({ job: job('elsewhere-1') });
    await waitForState(first, handle, ['succeeded']);
    const second = new HttpProvider({ id: 'shared', url: worker.url, secret: SECRET, storage });
    expect(await second.status({ handle })).toEqual({ state: 'succeeded' });
    expect((await second.result({ handle }))?.jobId).toBe('elsewhere-1');
    const never = new HttpProvider({ id: 'shared', url: worker.url, secret: SECRET, storage });
    expect(
      await never.status({
        handle: { ...handle, jobId: 'never-1', manifest: { ...handle.manifest, key: 'none.json' } },
      }),
    ).toEqual({ state: 'unknown' });
  });

  it('rejects settings outside the allowed set, naming them', () => {
    expect(() => new HttpProvider({ url: 'not a url', secret: SECRET })).toThrow(/url "not a url" is not a URL/);
    expect(() => new HttpProvider({ url: worker.url, secret: 'short' })).toThrow(
      /secret is 5 characters; use the worker secret \(at least 16\)/,
    );
    expect(() => new HttpProvider({ url: worker.url, secret: SECRET, queuedAfterMs: -1 })).toThrow(
      /queuedAfterMs -1 is out of range; use an integer 0 or more/,
    );
  });
});
