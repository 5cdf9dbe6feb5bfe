import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type S3Server, s3ClientFor, startS3Server } from '@stipple/test-support/s3-server';
import { parseJsonEvents } from '@stipple/test-support/server-sent-events';
import { startWorker, type WorkerProcess, waitForOutput } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, invoke, job, manifestOf, SECRET } from './worker-test-jobs.ts';

describe('the gpu-worker process with dynamic batching', () => {
  let s3: S3Server;
  let batched: WorkerProcess;
  let unbatched: WorkerProcess;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    [batched, unbatched] = await Promise.all([
      startWorker({ ...s3.env, WORKER_SECRET: SECRET, MAX_BATCH_IMAGES: '8' }),
      startWorker({ ...s3.env, WORKER_SECRET: SECRET, MAX_BATCH_IMAGES: '1', LOG_PROMPTS: 'true' }),
    ]);
    client = s3ClientFor(s3);
  });
  afterAll(async () => {
    await Promise.all([batched?.stop(), unbatched?.stop()]);
    await s3?.stop();
  });

  async function bytesOf(key: string): Promise<Uint8Array> {
    const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return response.Body!.transformToByteArray();
  }

  it('denoises concurrent compatible jobs in one batch and writes the same files as an unbatched worker', async () => {
    const parameters = [
      { prompt: 'a red circle on a blue background', seed: 21 },
      { prompt: 'a green square on a white background', seed: 22, n: 2, guidance: 3 },
      { prompt: 'a yellow triangle', negativePrompt: 'blue', seed: 23 },
      { prompt: 'a purple star on an orange background', seed: 24 },
    ];
    // A long job of another size holds the batcher, so the four queue behind it and must leave as one batch.
    const blocker = invoke(
      batched,
      job('blocker', { parameters: { prompt: 'a cat', width: 32, steps: 300, seed: 1 } }),
    );
    await waitForOutput(batched, '"batch_started","jobIds":["blocker"]');
    const together = await Promise.all(
      parameters.map((p, i) => invoke(batched, job(`batch-${i}`, { parameters: { steps: 6, ...p } }))),
    );
    expect((await blocker).status).toBe(200);
    expect(together.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    const batches = batched
      .output()
      .split('\n')
      .filter((line) => line.includes('"batch_started"') && line.includes('batch-'))
      .map((line) => JSON.parse(line) as { jobIds: string[]; images: number });
    expect(batches).toEqual([{ level: 'info', event: 'batch_started', jobIds: expect.any(Array), images: 5 }]);
    expect([...batches[0].jobIds].sort()).toEqual(['batch-0', 'batch-1', 'batch-2', 'batch-3']);

    for (const [i, p] of parameters.entries()) {
      const alone = await invoke(unbatched, job(`alone-${i}`, { parameters: { steps: 6, ...p } }));
      const outputs = (await manifestOf(alone)).outputs;
      const batchedOutputs = (await manifestOf(together[i])).outputs;
      expect(batchedOutputs.map((output) => output.seed)).toEqual(outputs.map((output) => output.seed));
      for (const [index, output] of outputs.entries()) {
        expect(await bytesOf(batchedOutputs[index].key)).toEqual(await bytesOf(output.key));
      }
    }
    expect(unbatched.output()).not.toMatch(/"jobIds":\["[^"]*","/);
    // Prompts reach the logs only where LOG_PROMPTS opts in; the secret never does.
    expect(batched.output()).not.toContain('purple star');
    expect(unbatched.output()).toContain(
      '"jobId":"alone-3","tenantId":"acme","modelId":"tiny-shapes","prompt":"a purple star',
    );
    expect(batched.output() + unbatched.output()).not.toContain(SECRET);
  });

  it('streams previews every k steps as PNG data URLs', async () => {
    const previewJob = job('preview-1', { parameters: { prompt: 'a cat', steps: 5, seed: 2 }, previewEvery: 2 });
    const response = await invoke(batched, previewJob, SECRET, { accept: 'text/event-stream' });
    const progress = parseJsonEvents(await response.text())
      .filter((event) => event.event === 'progress')
      .map((event) => event.data);
    expect(progress.filter((event) => event.preview).map((event) => event.step)).toEqual([2, 4, 5]);
    const { width, height, images } = progress.at(-1).preview;
    expect([width, height, images.length]).toEqual([8, 8, 1]);
    const png = Buffer.from(images[0].replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.readUInt32BE(16)).toBe(8); // IHDR width
  });
});
