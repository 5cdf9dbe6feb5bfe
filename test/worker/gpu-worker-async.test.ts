import { signRequest } from '@stipple/jobs';
import { startReceiver } from '@stipple/test-support/job-event-receiver';
import { type S3Server, startS3Server } from '@stipple/test-support/s3-server';
import { startWorker, type WorkerProcess, waitForOutput } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, invoke, job, SECRET } from './worker-test-jobs.ts';

const RESPOND_ASYNC = { prefer: 'respond-async' };

async function jobState(worker: WorkerProcess, jobId: string): Promise<Response> {
  const path = `/v1/jobs/${jobId}`;
  const headers = await signRequest({
    secret: SECRET,
    method: 'GET',
    path,
    body: '',
    timestamp: Math.floor(Date.now() / 1000),
  });
  return fetch(`${worker.url}${path}`, { headers });
}

describe('the gpu-worker process with Prefer: respond-async', () => {
  let s3: S3Server;
  let worker: WorkerProcess;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    // One job at a time, so a second job waits in the queue.
    worker = await startWorker({ ...s3.env, WORKER_SECRET: SECRET, MAX_CONCURRENT_JOBS: '1' });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.stop();
    await worker?.stop();
    await s3?.stop();
  });

  it('answers 202 at once, reports each step and the manifest to the callback, and says where the job stands', async () => {
    const body = job('async-1', {
      parameters: { prompt: 'a cat', steps: 30, seed: 3 },
      progress: receiver.callback('async-1'),
    });
    const accepted = await invoke(worker, body, SECRET, RESPOND_ASYNC);
    expect(accepted.status).toBe(202);
    // A slot was free: the job runs now and the 202 says so, in place of a `started` callback.
    expect(await accepted.json()).toEqual({ jobId: 'async-1', state: 'running' });
    // Behind it, a job waits for the slot: `queued`, and its callback hears `started` when it gets it.
    const behind = job('async-1-behind', {
      parameters: { prompt: 'a dog', steps: 4, seed: 5 },
      progress: receiver.callback('async-1-behind'),
    });
    const queued = await invoke(worker, behind, SECRET, RESPOND_ASYNC);
    expect(await queued.json()).toEqual({ jobId: 'async-1-behind', state: 'queued' });

    await receiver.until('async-1', 'running');
    const during = await jobState(worker, 'async-1');
    expect(during.status).toBe(200);
    expect(await during.json()).toEqual({ jobId: 'async-1', state: 'running' });

    const done = await receiver.until('async-1', 'succeeded');
    expect(done.status === 'succeeded' && done.manifest.outputs.map((output) => output.key)).toEqual([
      'jobs/acme/async-1/0.png',
    ]);
    const statuses = receiver.eventsOf('async-1').map((event) => event.status);
    expect(statuses).not.toContain('started');
    expect(statuses[0]).toBe('running');
    expect(statuses.at(-1)).toBe('succeeded');
    await receiver.until('async-1-behind', 'succeeded');
    const behindStatuses = receiver.eventsOf('async-1-behind').map((event) => event.status);
    expect(behindStatuses[0]).toBe('started');
    expect(behindStatuses.at(-1)).toBe('succeeded');
    // Once ended, the worker remembers how (for a router that missed the final event); a job never here is 404.
    const after = await jobState(worker, 'async-1');
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ jobId: 'async-1', state: 'succeeded' });
    expect((await jobState(worker, 'never-here')).status).toBe(404);
  });

  it('runs a job sent twice while it is here once (placement is idempotent by job id)', async () => {
    const body = job('async-2', {
      parameters: { prompt: 'a dog', steps: 20, seed: 4 },
      progress: receiver.callback('async-2'),
    });
    const [first, second] = [
      await invoke(worker, body, SECRET, RESPOND_ASYNC),
      await invoke(worker, body, SECRET, RESPOND_ASYNC),
    ];
    expect([first.status, second.status]).toEqual([202, 202]);
    await receiver.until('async-2', 'succeeded');
    const starts = worker
      .output()
      .split('\n')
      .filter((line) => line.includes('"job_started"') && line.includes('async-2'));
    expect(starts).toHaveLength(1);
  });
});

describe('a draining gpu-worker with asynchronous jobs', () => {
  it('reports a job it hands back on SIGTERM as failed worker_shutting_down, retryable, before it exits', async () => {
    const s3 = await startS3Server({ buckets: [BUCKET] });
    const receiver = await startReceiver();
    const worker = await startWorker({ ...s3.env, WORKER_SECRET: SECRET, SHUTDOWN_GRACE_SECONDS: '0' });
    try {
      const body = job('drain-async', {
        parameters: { prompt: 'a cat', steps: 500, seed: 1 },
        progress: receiver.callback('drain-async'),
      });
      expect((await invoke(worker, body, SECRET, RESPOND_ASYNC)).status).toBe(202);
      await waitForOutput(worker, '"job_started"');
      const exited = new Promise<number | null>((done) => worker.child.once('exit', done));
      worker.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const last = receiver.eventsOf('drain-async').at(-1);
      expect(last).toMatchObject({ status: 'failed', code: 'worker_shutting_down', retryable: true });
    } finally {
      await worker.stop();
      await receiver.stop();
      await s3.stop();
    }
  });
});
