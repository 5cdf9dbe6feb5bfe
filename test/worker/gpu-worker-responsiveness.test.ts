import { type S3Server, startS3Server } from '@stipple/test-support/s3-server';
import { pingOnOwnConnection, startWorker, type WorkerProcess } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, invoke, job, SECRET } from './worker-test-jobs.ts';

/** One step at 512²: a few long native runs (text encoder, UNet, VAE), the case that used to stall `/ping`. */
const LARGE = { prompt: 'a red circle on a blue background', width: 512, height: 512, steps: 1, seed: 3, n: 1 };

/** The slowest `/ping` answer while the job runs, asking every 10 ms. */
async function slowestPingDuring(worker: WorkerProcess, jobId: string): Promise<number> {
  let done = false;
  const running = invoke(worker, job(jobId, { parameters: LARGE })).finally(() => {
    done = true;
  });
  let slowest = 0;
  while (!done) {
    const started = performance.now();
    expect(await pingOnOwnConnection(worker.url)).toBe(200);
    slowest = Math.max(slowest, performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect((await running).status).toBe(200);
  return slowest;
}

describe('the gpu-worker while it generates', () => {
  let s3: S3Server;
  let threaded: WorkerProcess;
  let inline: WorkerProcess;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    [threaded, inline] = await Promise.all([
      startWorker({ ...s3.env, WORKER_SECRET: SECRET }),
      startWorker({ ...s3.env, WORKER_SECRET: SECRET, INFERENCE_THREAD: 'false' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([threaded?.stop(), inline?.stop()]);
    await s3?.stop();
  });

  it('answers /ping during a model run (with INFERENCE_THREAD=false it waits for the run to end)', async () => {
    // Warm both (first-run allocations), then the same job on each, one at a time.
    await Promise.all([slowestPingDuring(threaded, 'warm-1'), slowestPingDuring(inline, 'warm-2')]);
    const blocked = await slowestPingDuring(inline, 'inline-1');
    const free = await slowestPingDuring(threaded, 'threaded-1');
    // Inline, a ping sent as a run begins waits for all of it; threaded, the event loop answers at once.
    expect(free).toBeLessThan(blocked / 3);
  });
});
