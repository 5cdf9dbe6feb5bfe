import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  EdgeStorage,
  HttpProvider,
  type ImageProviderV1,
  type JobState,
  jobHandle,
  ProviderError,
  type ProviderJobHandle,
} from '@stipple/adapters';
import { type JobInput, jobSchema } from '@stipple/jobs';
import { startReceiver } from '@stipple/test-support/job-event-receiver';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from '@stipple/test-support/s3-server';
import { testImageProvider, waitForState } from '@stipple/test-support/test-image-provider';
import { freePort, startWorker, type WorkerProcess } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'adapters-test-secret-0123';
const BUCKET = 'results';
/** Steps of a job still generating whenever a test looks at it (several seconds of tiny-shapes on a CPU). */
const LONG_STEPS = 500;
/** How long a test waits for a job's event or end before failing with what it saw. */
const WAIT_LIMIT_MS = 30_000;

let s3: S3Server;
let worker: WorkerProcess;
let storage: EdgeStorage;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

/** A worker on the shared store; no grace on SIGTERM, so a test that fails mid-job does not hold up the teardown. */
const workerEnv = () => ({ ...s3.env, WORKER_SECRET: SECRET, SHUTDOWN_GRACE_SECONDS: '0' });

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  worker = await startWorker(workerEnv());
  storage = new EdgeStorage({ endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.stop();
  await worker?.stop();
  await s3?.stop();
});

testImageProvider('the http provider against a real gpu-worker', async () => ({
  provider: new HttpProvider({ id: 'local-worker', url: worker.url, secret: SECRET, storage }),
  storage,
  bucket: BUCKET,
  keyPrefix: 'http-conformance',
}));

function job(jobId: string, { steps = 4, ...change }: Partial<JobInput> & { steps?: number } = {}) {
  return jobSchema.parse({
    jobId,
    tenantId: 'acme',
    modelId: 'tiny-shapes',
    parameters: { prompt: 'a blue square', steps, seed: 3 },
    output: { bucket: BUCKET, keyPrefix: 'http-provider' },
    ...change,
  });
}

/** The states `status` reports, each run of one state once, until the job ends or is no longer known. */
async function statesUntilEnd(provider: ImageProviderV1, handle: ProviderJobHandle): Promise<JobState[]> {
  const seen: JobState[] = [];
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    const { state } = await provider.status({ handle });
    if (seen.at(-1) !== state) seen.push(state);
    if (!['queued', 'running'].includes(state)) return seen;
    if (Date.now() > deadline) throw new Error(`job ${handle.jobId} went ${seen.join(' → ')} and has not ended`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A platform's gateway in front of the worker, as RunPod's load balancer is: with a `token`, it refuses requests
 * without it; it passes the rest through to whichever worker `target` names now (a restarted one keeps the address).
 */
async function startGateway({ target, token }: { target: () => string; token?: string }) {
  const seen: { method?: string; path?: string; authorized: boolean }[] = [];
  const gateway = createServer((request, response) => {
    const authorized = token === undefined || request.headers.authorization === token;
    seen.push({ method: request.method, path: request.url, authorized });
    if (!authorized) {
      response.writeHead(401, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ error: { code: 'gateway_unauthorized', message: 'missing API key' } }));
    }
    const upstream = httpRequest(
      new URL(request.url ?? '/', target()),
      { method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  await new Promise<void>((done) => gateway.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`, seen, close: () => gateway.close() };
}

describe('the http provider', () => {
  it('declares asynchronous jobs that it can cancel, with progress pushed to the callback, never synchronous ones', async () => {
    const provider = new HttpProvider({ id: 'capabilities', url: worker.url, secret: SECRET, maxBatch: 4 });
    expect(await provider.capabilities()).toMatchObject({
      maxBatch: 4,
      sync: false,
      async: true,
      cancel: true,
      progress: true,
    });
  });

  it('sends the platform’s token header with every request', async () => {
    const gateway = await startGateway({ target: () => worker.url, token: 'Bearer rp-key-0123' });
    try {
      const providerToken = { header: 'authorization', value: 'Bearer rp-key-0123' };
      const provider = new HttpProvider({ id: 'runpod', url: gateway.url, secret: SECRET, providerToken });
      expect(await provider.health()).toEqual({ healthy: true, detail: 'ready' });
      expect((await provider.capabilities()).models).toContain('tiny-shapes');
      const { handle } = await provider.submit({ job: job('token-1') });
      expect((await waitForState(provider, handle, ['succeeded'])).state).toBe('succeeded');
      expect(await provider.cancel({ handle })).toMatchObject({ canceled: false });
      const requests = gateway.seen.map(({ method, path }) => `${method} ${path}`);
      // Status is polled: each request once, in order.
      expect(requests.filter((request, index) => request !== requests[index - 1])).toEqual([
        'GET /ping',
        'GET /v1/models',
        'POST /invocations',
        'GET /v1/jobs/token-1',
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

  it('is refused a model the worker does not serve: unknown_model, never started, nothing reported', async () => {
    const provider = new HttpProvider({ id: 'models', url: worker.url, secret: SECRET, storage });
    const submitted = job('unknown-model-2', {
      modelId: 'not-served-here',
      progress: receiver.callback('unknown-model-2'),
    });
    const error = await provider.submit({ job: submitted }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'unknown_model', neverStarted: true, isRetryable: false, httpStatus: 404 });
    expect((error as ProviderError).message).toContain('not-served-here');
    expect(await provider.status({ handle: jobHandle(provider.id, submitted) })).toEqual({ state: 'unknown' });
    expect(receiver.eventsOf('unknown-model-2')).toEqual([]);
  });

  it('hands a long job over at once: queued or running, and still generating after submit returns', async () => {
    const provider = new HttpProvider({ id: 'at-once', url: worker.url, secret: SECRET, storage });
    const { handle, state } = await provider.submit({ job: job('at-once-1', { steps: LONG_STEPS }) });
    expect(state).toBeOneOf(['queued', 'running']);
    expect((await waitForState(provider, handle, ['running'])).state).toBe('running');
    expect(await provider.cancel({ handle })).toEqual({ canceled: true, warnings: [] });
  });

  it('reports running while the job generates, then succeeded, and result returns the stored manifest', async () => {
    const provider = new HttpProvider({ id: 'lifecycle', url: worker.url, secret: SECRET, storage });
    const submitted = job('lifecycle-1', { steps: 40 });
    const { handle } = await provider.submit({ job: submitted });
    // The worker may answer queued for a moment before the job has its slot.
    expect((await statesUntilEnd(provider, handle)).filter((state) => state !== 'queued')).toEqual([
      'running',
      'succeeded',
    ]);
    const manifest = await provider.result({ handle });
    expect(manifest).toMatchObject({ jobId: 'lifecycle-1', tenantId: 'acme', status: 'succeeded' });
    expect(manifest).toEqual(await storage.readManifest(submitted));
  });

  it('runs a job submitted twice while the worker holds it once', async () => {
    const provider = new HttpProvider({ id: 'twice', url: worker.url, secret: SECRET, storage });
    const submitted = job('twice-1', { steps: 100, progress: receiver.callback('twice-1') });
    const first = await provider.submit({ job: submitted });
    const second = await provider.submit({ job: submitted });
    expect([first.state, second.state]).toEqual([
      expect.toBeOneOf(['queued', 'running']),
      expect.toBeOneOf(['queued', 'running']),
    ]);
    expect(second.handle).toEqual(first.handle);
    expect((await waitForState(provider, first.handle, ['succeeded'])).state).toBe('succeeded');
    await receiver.until('twice-1', 'succeeded');
    const reported = receiver.eventsOf('twice-1').map((event) => event.status);
    // `started` is pushed only when the 202 did not already say `running` (a slot was free).
    const announced = first.state === 'running' ? [] : ['started'];
    expect(reported.filter((status) => status !== 'running')).toEqual([...announced, 'succeeded']);
    const starts = worker
      .output()
      .split('\n')
      .filter((line) => line.includes('"job_started"') && line.includes('"jobId":"twice-1"'));
    expect(starts).toHaveLength(1);
  });

  it('has the worker push signed events to the callback: started (unless its 202 said running), each step with previews, then the manifest', async () => {
    const provider = new HttpProvider({ id: 'callback', url: worker.url, secret: SECRET, storage });
    // Step events are at least 100 ms apart, so the job must outlast a few intervals however fast this machine is.
    const submitted = job('callback-1', { steps: 200, previewEvery: 50, progress: receiver.callback('callback-1') });
    const { handle, state } = await provider.submit({ job: submitted });
    const done = await receiver.until('callback-1', 'succeeded');
    expect(receiver.rejected).not.toContain('/jobs/callback-1/events');
    const events = receiver.eventsOf('callback-1');
    expect(events[0].status).toBe(state === 'running' ? 'running' : 'started');
    expect(events.at(-1)).toBe(done);
    const steps = events.flatMap((event) => (event.status === 'running' ? [event] : []));
    // Steps finishing while an event is in flight collapse into the latest, so some may be missing; none repeats.
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps.map((event) => event.totalSteps)).toEqual(steps.map(() => 200));
    expect(steps.map((event) => event.step)).toEqual(steps.map((event) => event.step).sort((a, b) => a - b));
    expect(new Set(steps.map((event) => event.step)).size).toBe(steps.length);
    const previews = steps.filter((event) => event.preview);
    expect(previews.length).toBeGreaterThanOrEqual(1);
    for (const { step, preview } of previews) {
      expect(step % 50 === 0 || step === 200).toBe(true);
      expect(preview?.images).toEqual([expect.stringMatching(/^data:image\/png;base64,/)]);
    }
    expect(done).toMatchObject({ status: 'succeeded', manifestKey: handle.manifest.key });
    expect((await waitForState(provider, handle, ['succeeded'])).state).toBe('succeeded');
    expect(done.status === 'succeeded' && done.manifest).toEqual(await provider.result({ handle }));
  });

  it('cancels a running job: confirmed, reported canceled, no manifest; canceling it again says it has ended', async () => {
    const provider = new HttpProvider({ id: 'cancel', url: worker.url, secret: SECRET, storage });
    const { handle } = await provider.submit({
      job: job('cancel-2', { steps: LONG_STEPS, progress: receiver.callback('cancel-2') }),
    });
    await receiver.until('cancel-2', 'running');
    expect(await provider.status({ handle })).toEqual({ state: 'running' });
    expect(await provider.cancel({ handle })).toEqual({ canceled: true, warnings: [] });
    expect(await receiver.until('cancel-2', 'failed')).toMatchObject({ code: 'canceled', retryable: false });
    // The worker's failed `canceled` is the spec's `canceled` state, not a failure.
    expect(await waitForState(provider, handle, ['canceled'])).toEqual({ state: 'canceled' });
    expect(await provider.result({ handle })).toBeUndefined();
    expect(await storage.readManifest(handle.manifest)).toBeUndefined();
    const again = await provider.cancel({ handle });
    expect(again.canceled).toBe(false);
    expect(again.warnings).toEqual([
      { type: 'other', message: expect.stringContaining('job cancel-2 is not running') },
    ]);
  });

  it('reports a job past its deadline failed with deadline_exceeded, not retryable, with no manifest', async () => {
    const provider = new HttpProvider({ id: 'deadline', url: worker.url, secret: SECRET, storage });
    const deadline = new Date(Date.now() + 1_000).toISOString();
    const { handle, state } = await provider.submit({ job: job('deadline-1', { steps: LONG_STEPS, deadline }) });
    expect(state).toBeOneOf(['queued', 'running']);
    const ended = await waitForState(provider, handle, ['failed']);
    expect(ended).toMatchObject({ state: 'failed', failure: { code: 'deadline_exceeded', isRetryable: false } });
    expect(ended.failure?.message).toContain(deadline);
    expect(await provider.result({ handle })).toBeUndefined();
  });

  it('answers for jobs whose worker restarted: unknown without a manifest, succeeded with one', async () => {
    let current = await startWorker(workerEnv());
    const gateway = await startGateway({ target: () => current.url });
    try {
      const provider = new HttpProvider({ id: 'restarting', url: gateway.url, secret: SECRET, storage });
      const finished = await provider.submit({ job: job('restart-done-1') });
      expect((await waitForState(provider, finished.handle, ['succeeded'])).state).toBe('succeeded');
      const lost = await provider.submit({ job: job('restart-lost-1', { steps: LONG_STEPS }) });
      expect((await waitForState(provider, lost.handle, ['running'])).state).toBe('running');
      // A crash: the worker reports nothing and forgets both jobs; the new one answers at the same address.
      const exited = new Promise((done) => current.child.once('exit', done));
      current.child.kill('SIGKILL');
      await exited;
      current = await startWorker(workerEnv());
      expect(await provider.status({ handle: lost.handle })).toEqual({ state: 'unknown' });
      expect(await provider.status({ handle: finished.handle })).toEqual({ state: 'succeeded' });
      expect((await provider.result({ handle: finished.handle }))?.jobId).toBe('restart-done-1');
      expect(await provider.result({ handle: lost.handle })).toBeUndefined();
    } finally {
      gateway.close();
      await current.stop();
    }
  });

  it('reports queued while the worker holds the job for a slot, and is refused busy with Retry-After when full', async () => {
    const busy = await startWorker({ ...workerEnv(), MAX_CONCURRENT_JOBS: '1', MAX_QUEUED_JOBS: '1' });
    try {
      const provider = new HttpProvider({ id: 'busy-worker', url: busy.url, secret: SECRET, storage });
      const long = await provider.submit({ job: job('long-1', { steps: LONG_STEPS }) });
      expect((await waitForState(provider, long.handle, ['running'])).state).toBe('running');
      const waiting = await provider.submit({ job: job('waiting-1') });
      expect(waiting.state).toBe('queued');
      expect((await provider.status({ handle: waiting.handle })).state).toBe('queued');
      const refused = await provider.submit({ job: job('refused-busy-1') }).catch((caught: unknown) => caught);
      expect(refused).toMatchObject({ code: 'provider_busy', neverStarted: true, isRetryable: true, httpStatus: 429 });
      expect((refused as ProviderError).retryAfterMs).toBeGreaterThanOrEqual(1000);
      expect(await provider.cancel({ handle: long.handle })).toMatchObject({ canceled: true });
      expect((await waitForState(provider, waiting.handle, ['succeeded'])).state).toBe('succeeded');
    } finally {
      await busy.stop();
    }
  });

  it('rejects settings outside the allowed set, naming them', () => {
    expect(() => new HttpProvider({ url: 'not a url', secret: SECRET })).toThrow(/url "not a url" is not a URL/);
    expect(() => new HttpProvider({ url: worker.url, secret: 'short' })).toThrow(
      /secret is 5 characters; use the worker secret \(at least 16\)/,
    );
    expect(() => new HttpProvider({ url: worker.url, secret: SECRET, maxBatch: 0 })).toThrow(
      /maxBatch 0 is out of range; use an integer 1 or more/,
    );
  });
});
