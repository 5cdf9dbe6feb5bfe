import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { jobEventSchema, signRequest, verifyRequest } from '@stipple/jobs';
import { type S3Server, s3ClientFor, startS3Server } from '@stipple/test-support/s3-server';
import { parseJsonEvents } from '@stipple/test-support/server-sent-events';
import { startWorker, type WorkerProcess, waitForOutput } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, errorOf, invoke, job, manifestOf, SECRET } from './worker-test-jobs.ts';

describe('the gpu-worker process', () => {
  let s3: S3Server;
  let worker: WorkerProcess;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    worker = await startWorker({ ...s3.env, WORKER_SECRET: SECRET });
    client = s3ClientFor(s3);
  });
  afterAll(async () => {
    await worker?.stop();
    await s3?.stop();
  });

  async function object(key: string) {
    const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return {
      bytes: await response.Body!.transformToByteArray(),
      contentType: response.ContentType,
      etag: response.ETag,
    };
  }

  it('answers /ping without a signature and refuses unsigned or wrongly signed invocations', async () => {
    expect((await fetch(`${worker.url}/ping`)).status).toBe(200);
    const unsigned = await fetch(`${worker.url}/invocations`, { method: 'POST', body: JSON.stringify(job('a')) });
    expect(unsigned.status).toBe(401);
    expect((await errorOf(unsigned)).message).toBe('request signature is missing; sign it with the worker secret');
    expect((await invoke(worker, job('a'), 'another-secret-012345')).status).toBe(401);
  });

  it('rejects a bad job with 400 and field-level errors', async () => {
    const response = await invoke(worker, job('bad', { parameters: { prompt: 'x', width: 100 } }));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_job');
    expect(error.fields).toContainEqual({
      path: 'parameters.width',
      message: 'width 100 is not a multiple of 8; use 8–2048 in steps of 8',
    });
  });

  it('writes each image as PNG at its deterministic key, then the manifest', async () => {
    const response = await invoke(worker, job('job-1'));
    expect(response.status).toBe(200);
    const manifest = await manifestOf(response);
    expect(manifest.outputs.map((output) => output.key)).toEqual(['jobs/acme/job-1/0.png', 'jobs/acme/job-1/1.png']);
    expect(manifest.outputs.map((output) => output.seed)).toEqual([11, 12]);
    for (const output of manifest.outputs) {
      const stored = await object(output.key);
      expect(stored.contentType).toBe('image/png');
      expect(stored.bytes.length).toBe(output.bytes);
      expect(Array.from(stored.bytes.subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
    const written = JSON.parse(new TextDecoder().decode((await object('jobs/acme/job-1/result.json')).bytes));
    expect(written).toEqual(manifest);
  });

  it('answers a retried job from its manifest and writes nothing new', async () => {
    const first = await manifestOf(await invoke(worker, job('job-2')));
    const marker = new TextEncoder().encode('left as it was');
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'jobs/acme/job-2/0.png', Body: marker }));
    const retry = await invoke(worker, job('job-2'));
    expect(retry.status).toBe(200);
    expect(await manifestOf(retry)).toEqual(first);
    expect((await object('jobs/acme/job-2/0.png')).bytes).toEqual(marker);
  });

  it('completes a job that died before its manifest and never overwrites an image already written', async () => {
    await invoke(worker, job('job-5'));
    // What a crash between the last image and the manifest leaves behind; the marker bytes show any overwrite.
    const marker = new TextEncoder().encode('written by the attempt that crashed');
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'jobs/acme/job-5/1.png', Body: marker }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'jobs/acme/job-5/result.json' }));
    const retry = await invoke(worker, job('job-5'));
    expect(retry.status).toBe(200);
    expect((await manifestOf(retry)).outputs.map((output) => output.seed)).toEqual([11, 12]);
    expect((await object('jobs/acme/job-5/1.png')).bytes).toEqual(marker);
    expect((await object('jobs/acme/job-5/result.json')).contentType).toBe('application/json');
  });

  it('turns a job away with 429 and Retry-After when every slot and the queue are taken', async () => {
    const busy = await startWorker({
      ...s3.env,
      WORKER_SECRET: SECRET,
      MAX_CONCURRENT_JOBS: '1',
      MAX_QUEUED_JOBS: '0',
    });
    try {
      const long = invoke(busy, job('job-6', { parameters: { prompt: 'a cat', steps: 400, seed: 1 } }));
      await waitForOutput(busy, '"job_started"');
      const turnedAway = await invoke(busy, job('job-7'));
      expect(turnedAway.status).toBe(429);
      expect(Number(turnedAway.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await errorOf(turnedAway)).code).toBe('busy');
      expect((await long).status).toBe(200);
      // The slot is free again once the first job is done.
      expect((await invoke(busy, job('job-7'))).status).toBe(200);
    } finally {
      await busy.stop();
    }
  });

  it('cancels a running job within a step: 409 canceled, and no manifest or image written', async () => {
    const running = invoke(worker, job('job-8', { parameters: { prompt: 'a cat', steps: 500, seed: 1 } }));
    await waitForOutput(worker, '"job_started","jobId":"job-8"');
    const path = '/v1/jobs/job-8';
    const headers = await signRequest({
      secret: SECRET,
      method: 'DELETE',
      path,
      body: '',
      timestamp: Math.floor(Date.now() / 1000),
    });
    const cancel = await fetch(`${worker.url}${path}`, { method: 'DELETE', headers });
    expect(cancel.status).toBe(202);
    const response = await running;
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toEqual({ code: 'canceled', message: 'job job-8 was canceled' });
    // A cancel is the job ending as asked: an info line, not an error.
    await waitForOutput(worker, '"event":"job_canceled","jobId":"job-8"');
    expect(worker.output()).toContain('{"level":"info","event":"job_canceled","jobId":"job-8","code":"canceled"');
    expect(worker.output()).not.toMatch(/"job_failed","jobId":"job-8"/);
    const stored = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'jobs/acme/job-8/' }));
    expect(stored.KeyCount ?? 0).toBe(0);
    const again = await fetch(`${worker.url}${path}`, { method: 'DELETE', headers });
    expect(again.status).toBe(404);
  });

  it('stops a job at its deadline with 504 deadline_exceeded and writes no manifest', async () => {
    const deadline = new Date(Date.now() + 300).toISOString();
    const response = await invoke(
      worker,
      job('job-9', { parameters: { prompt: 'a cat', steps: 500, seed: 1 }, deadline }),
    );
    expect(response.status).toBe(504);
    expect(await errorOf(response)).toEqual({
      code: 'deadline_exceeded',
      message: `job job-9 passed its deadline ${deadline}`,
    });
    const stored = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'jobs/acme/job-9/' }));
    expect(stored.KeyCount ?? 0).toBe(0);
  });

  it('streams one progress event per step, then the manifest, as Server-Sent Events', async () => {
    const response = await invoke(
      worker,
      job('job-10', { parameters: { prompt: 'a cat', steps: 5, seed: 2 } }),
      SECRET,
      {
        accept: 'text/event-stream',
      },
    );
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseJsonEvents(await response.text());
    const progress = events.filter((event) => event.event === 'progress');
    expect(progress.map((event) => `${event.data.step}/${event.data.totalSteps}`)).toEqual([
      '1/5',
      '2/5',
      '3/5',
      '4/5',
      '5/5',
    ]);
    expect(progress.at(-1)?.data.etaMs).toBe(0);
    expect(events.at(-1)?.event).toBe('result');
    expect(events.at(-1)?.data.outputs).toHaveLength(1);
  });

  it('posts signed progress to the callback URL, then the terminal event', async () => {
    const token = 'callback-token-0123456789';
    const received: { headers: Record<string, string>; body: string }[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ headers: request.headers as Record<string, string>, body });
        response.end('ok');
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const { port } = receiver.address() as AddressInfo;
    try {
      const progress = { url: `http://127.0.0.1:${port}/hooks/progress`, token };
      const response = await invoke(
        worker,
        job('job-11', { parameters: { prompt: 'a cat', steps: 80, seed: 3 }, progress }),
      );
      expect(response.status).toBe(200);
      const deadline = Date.now() + 5_000;
      while (!received.some(({ body }) => body.includes('"succeeded"')) && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 20));
      }
      for (const { headers, body } of received) {
        expect(await verifyRequest({ secret: token, method: 'POST', path: '/hooks/progress', body, headers })).toEqual({
          ok: true,
        });
      }
      const events = received.map(({ body }) => jobEventSchema.parse(JSON.parse(body)));
      expect(events[0]).toMatchObject({ jobId: 'job-11', tenantId: 'acme', status: 'started' });
      const steps = events.filter((event) => event.status === 'running').map((event) => event.step);
      expect(steps.length).toBeGreaterThan(0);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      // Step events are spaced at least 100 ms apart, counted from `started`, however fast the steps are.
      const times = events
        .filter((event) => event.status === 'running' || event.status === 'started')
        .map((event) => event.emittedAt!);
      expect(times.length).toBeGreaterThan(2);
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(100);
      const last = events.at(-1)!;
      expect(last).toMatchObject({ jobId: 'job-11', tenantId: 'acme', status: 'succeeded' });
      // The terminal event carries the manifest the worker wrote, the very one in the store.
      expect(last.status === 'succeeded' && last.manifest).toEqual(await manifestOf(response));
      expect(last.status === 'succeeded' && last.manifestKey).toBe('jobs/acme/job-11/result.json');
    } finally {
      receiver.close();
    }
  });

  it('names an unknown model with 404', async () => {
    const response = await invoke(worker, job('job-3', { modelId: 'sdxl-base' }));
    expect(response.status).toBe(404);
    expect((await errorOf(response)).message).toMatch(/model "sdxl-base" is not served here; use one of tiny-shapes/);
  });
});
