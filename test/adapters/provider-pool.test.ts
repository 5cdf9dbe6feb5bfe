import { createServer, type Server, type Socket } from 'node:net';
import { EdgeStorage, HttpProvider, type PoolLogEntry, ProviderPool } from '@stipple/adapters';
import { jobSchema } from '@stipple/jobs';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from '@stipple/test-support/s3-server';
import { waitForState } from '@stipple/test-support/test-image-provider';
import { freePort, startWorker, type WorkerProcess } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'adapters-test-secret-0123';
const BUCKET = 'results';

let s3: S3Server;
let worker: WorkerProcess;
let storage: EdgeStorage;
/** Accepts connections and never answers: a provider that may have received the job. */
let silent: Server;
const silentSockets: Socket[] = [];

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  worker = await startWorker({ ...s3.env, WORKER_SECRET: SECRET });
  storage = new EdgeStorage({ endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS });
  silent = createServer((socket) => silentSockets.push(socket));
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
});
afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  silent?.close();
  await worker?.stop();
  await s3?.stop();
});

function job(jobId: string, steps = 4) {
  return jobSchema.parse({
    jobId,
    tenantId: 'acme',
    modelId: 'tiny-shapes',
    parameters: { prompt: 'a yellow star', steps, seed: 9 },
    output: { bucket: BUCKET, keyPrefix: 'pool' },
  });
}

function http(id: string, url: string) {
  return new HttpProvider({ id, url, secret: SECRET, storage });
}

function pool(first: HttpProvider, second: HttpProvider, log: PoolLogEntry[], attemptTimeoutMs = 10_000) {
  return new ProviderPool({
    providers: [
      { provider: first, priority: 0, models: ['tiny-shapes'] },
      { provider: second, priority: 1, models: ['tiny-shapes'] },
    ],
    attemptTimeoutMs,
    log: (entry) => log.push(entry),
  });
}

describe('the provider pool over real workers', () => {
  it('fails over from a provider that refused the connection, and the job runs once, on the second', async () => {
    const log: PoolLogEntry[] = [];
    const routed = pool(http('down', `http://127.0.0.1:${await freePort()}`), http('up', worker.url), log);
    const submission = await routed.submit(job('failover-1'));
    expect(submission.handle.providerId).toBe('up');
    expect((await waitForState(http('up', worker.url), submission.handle, ['succeeded'])).state).toBe('succeeded');
    expect(await routed.result(submission.handle)).toMatchObject({ jobId: 'failover-1' });
    expect(log.find((entry) => entry.event === 'failover')).toMatchObject({
      jobId: 'failover-1',
      from: 'down',
      code: 'provider_unreachable',
    });
    expect(worker.output().match(/"job_started","jobId":"failover-1"/g)).toHaveLength(1);
  });

  it('fails over from a worker that turned the job away as busy', async () => {
    const busy = await startWorker({
      ...s3.env,
      WORKER_SECRET: SECRET,
      MAX_CONCURRENT_JOBS: '1',
      MAX_QUEUED_JOBS: '0',
    });
    try {
      const busyProvider = http('busy', busy.url);
      const long = await busyProvider.submit({ job: job('occupying-1', 1000) });
      await waitForState(busyProvider, long.handle, ['running']);
      const log: PoolLogEntry[] = [];
      const submission = await pool(busyProvider, http('free', worker.url), log).submit(job('failover-2'));
      expect(submission.handle.providerId).toBe('free');
      expect(log.find((entry) => entry.event === 'attempt_failed')).toMatchObject({
        providerId: 'busy',
        code: 'provider_busy',
        neverStarted: true,
      });
      await busyProvider.cancel({ handle: long.handle });
    } finally {
      await busy.stop();
    }
  });

  it('never sends elsewhere a job whose provider may have received it: it reports the outcome unknown', async () => {
    const log: PoolLogEntry[] = [];
    const { port } = silent.address() as { port: number };
    const routed = pool(http('silent', `http://127.0.0.1:${port}`), http('up', worker.url), log, 300);
    const submission = await routed.submit(job('no-failover-1'));
    expect(submission).toMatchObject({ state: 'unknown', attempts: 1, handle: { providerId: 'silent' } });
    expect(submission.error).toMatchObject({ code: 'provider_timeout', neverStarted: false });
    expect(log.some((entry) => entry.event === 'failover')).toBe(false);
    expect(worker.output()).not.toContain('no-failover-1');
    expect(await storage.readManifest(job('no-failover-1'))).toBeUndefined();
  });
});
