import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { type S3Server, s3ClientFor, startS3Server } from '@stipple/test-support/s3-server';
import { startWorker, waitForOutput } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, errorOf, invoke, job, manifestOf, SECRET } from './worker-test-jobs.ts';

describe('the gpu-worker process on SIGTERM', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
  });
  afterAll(() => s3?.stop());

  it('lets a running job finish within the grace period, then exits 0', async () => {
    const worker = await startWorker({ ...s3.env, WORKER_SECRET: SECRET, SHUTDOWN_GRACE_SECONDS: '60' });
    const running = invoke(worker, job('drain-1', { parameters: { prompt: 'a cat', steps: 300, seed: 1 } }));
    await waitForOutput(worker, '"job_started"');
    const exited = new Promise<number | null>((done) => worker.child.once('exit', done));
    worker.child.kill('SIGTERM');
    const response = await running;
    expect(response.status).toBe(200);
    expect((await manifestOf(response)).jobId).toBe('drain-1');
    expect(await exited).toBe(0);
    expect(worker.output()).toMatch(/"shutting_down","inFlight":1[\s\S]*"stopped"/);
  });

  it('leaves no manifest when killed mid-job, and a retry on a new worker completes the job', async () => {
    const first = await startWorker({ ...s3.env, WORKER_SECRET: SECRET });
    const killedJob = job('killed-1', { parameters: { prompt: 'a cat', steps: 300, seed: 4 } });
    const doomed = invoke(first, killedJob).catch((error: Error) => error);
    await waitForOutput(first, '"job_started"');
    first.child.kill('SIGKILL');
    expect(await doomed).toBeInstanceOf(Error);
    const client = s3ClientFor(s3);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'jobs/acme/killed-1/' }));
    expect(listed.Contents?.map((item) => item.Key) ?? []).not.toContain('jobs/acme/killed-1/result.json');
    const second = await startWorker({ ...s3.env, WORKER_SECRET: SECRET });
    try {
      const retry = await invoke(second, killedJob);
      expect(retry.status).toBe(200);
      expect((await manifestOf(retry)).outputs.map((output) => output.key)).toEqual(['jobs/acme/killed-1/0.png']);
    } finally {
      await second.stop();
    }
  });

  it('hands a job still running when the grace period ends back as retryable, leaving no manifest', async () => {
    const worker = await startWorker({ ...s3.env, WORKER_SECRET: SECRET, SHUTDOWN_GRACE_SECONDS: '0' });
    const running = invoke(worker, job('drain-2', { parameters: { prompt: 'a cat', steps: 500, seed: 1 } }));
    await waitForOutput(worker, '"job_started"');
    const exited = new Promise<number | null>((done) => worker.child.once('exit', done));
    worker.child.kill('SIGTERM');
    const response = await running;
    // Not `canceled` (nobody canceled it): 503 worker_shutting_down, for the router to place it again elsewhere.
    expect(response.status).toBe(503);
    expect(await errorOf(response)).toEqual({
      code: 'worker_shutting_down',
      message: 'job drain-2 was handed back unfinished: the worker is shutting down; run it on another worker',
    });
    expect(await exited).toBe(0);
  });
});

describe('the gpu-worker process with S3 unreachable', () => {
  it('fails the job with a clear, retryable storage error and reports nothing done', async () => {
    const worker = await startWorker({
      WORKER_SECRET: SECRET,
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_CONDITIONAL_WRITES: 'false',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
    });
    try {
      const response = await invoke(worker, job('job-4'));
      expect(response.status).toBe(503);
      const error = await errorOf(response);
      expect(error.code).toBe('storage_unreachable');
      expect(error.message).toMatch(/s3:\/\/results\/jobs\/acme\/job-4\/result\.json/);
    } finally {
      await worker.stop();
    }
  });
});
