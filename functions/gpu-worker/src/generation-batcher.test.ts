import { resolve } from 'node:path';
import {
  AbortError,
  type GenerationJob,
  type GenerationOutcome,
  type GenerationResult,
  generate,
  loadModel,
  type StableDiffusionModel,
} from '@stipple/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerationBatcher } from './generation-batcher.ts';

const TINY_SHAPES = resolve(import.meta.dirname, '../../../models/tiny-shapes');

/** A stand-in for the engine's `generateBatch` that records each batch and finishes it when told to. */
function recordingEngine() {
  const batches: { prompts: string[]; finish: () => void }[] = [];
  const engine = (_model: StableDiffusionModel, jobs: readonly GenerationJob[]) =>
    new Promise<GenerationOutcome[]>((done) => {
      batches.push({
        prompts: jobs.map((job) => job.request.prompt),
        finish: () =>
          done(
            jobs.map((job) => ({
              ok: true,
              result: { images: [], record: { prompt: job.request.prompt } } as unknown as GenerationResult,
            })),
          ),
      });
    });
  return { batches, engine };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GenerationBatcher', () => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(TINY_SHAPES);
  });
  afterAll(() => model.release());

  it('coalesces jobs that arrive within the window, and keeps incompatible ones apart', async () => {
    const { batches, engine } = recordingEngine();
    const batcher = new GenerationBatcher({ maxBatchImages: 8, windowMs: 30, generateBatch: engine });
    const results = [
      batcher.generate(model, { prompt: 'a' }),
      batcher.generate(model, { prompt: 'b', n: 2, seed: 4 }),
      batcher.generate(model, { prompt: 'other size', width: 32 }),
      batcher.generate(model, { prompt: 'c', guidance: 2 }),
    ];
    expect(batches).toHaveLength(0);
    await sleep(60);
    expect(batches.map((batch) => batch.prompts)).toEqual([['a', 'b', 'c']]);
    batches[0].finish();
    await sleep(60);
    expect(batches.map((batch) => batch.prompts)).toEqual([['a', 'b', 'c'], ['other size']]);
    batches[1].finish();
    const prompts = (await Promise.all(results)).map((result) => result.record.prompt);
    expect(prompts).toEqual(['a', 'b', 'other size', 'c']);
  });

  it('starts a full batch without waiting, and batches what queued behind a running one', async () => {
    const { batches, engine } = recordingEngine();
    const batcher = new GenerationBatcher({ maxBatchImages: 2, windowMs: 10_000, generateBatch: engine });
    const first = [batcher.generate(model, { prompt: 'a' }), batcher.generate(model, { prompt: 'b' })];
    await sleep(0);
    expect(batches.map((batch) => batch.prompts)).toEqual([['a', 'b']]);
    const later = ['c', 'd', 'e'].map((prompt) => batcher.generate(model, { prompt }));
    expect(batcher.waiting).toBe(3);
    batches[0].finish();
    await Promise.all(first);
    await sleep(0);
    expect(batches.map((batch) => batch.prompts)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    batches[1].finish();
    await sleep(0);
    // 'e' has waited behind a batch for less than the window and its batch is not full: it waits on.
    expect(batches).toHaveLength(2);
    expect(batcher.waiting).toBe(1);
    await Promise.all(later.slice(0, 2));
    const cancel = new AbortController();
    const canceled = batcher.generate(model, { prompt: 'f', steps: 3 }, { signal: cancel.signal });
    cancel.abort(new AbortError('job f was canceled'));
    await expect(canceled).rejects.toThrow('job f was canceled');
    expect(batcher.waiting).toBe(1);
  });

  it('skips the window when no other job is expected, and waits for as many as the last batch had', async () => {
    const { batches, engine } = recordingEngine();
    let inWorker = 1;
    const batcher = new GenerationBatcher({
      maxBatchImages: 8,
      windowMs: 50,
      jobsInWorker: () => inWorker,
      generateBatch: engine,
    });
    const lone = batcher.generate(model, { prompt: 'lone' });
    await sleep(0);
    expect(batches.map((batch) => batch.prompts)).toEqual([['lone']]);
    batches[0].finish();
    await lone;
    // Two jobs in the worker: the second job's client is still on its way, so the first waits for it.
    inWorker = 2;
    const pair = [batcher.generate(model, { prompt: 'first' })];
    await sleep(20);
    expect(batches).toHaveLength(1);
    pair.push(batcher.generate(model, { prompt: 'second' }));
    await sleep(0);
    expect(batches[1].prompts).toEqual(['first', 'second']);
    batches[1].finish();
    await Promise.all(pair);
    // The last batch had two jobs: a job arriving alone waits for a companion until the window has passed quietly.
    inWorker = 1;
    void batcher.generate(model, { prompt: 'alone now' });
    await sleep(20);
    expect(batches).toHaveLength(2);
    await sleep(60);
    expect(batches[2].prompts).toEqual(['alone now']);
    batches[2].finish();
  });

  it('rejects an invalid request at once, before it joins the queue', async () => {
    const batcher = new GenerationBatcher({ maxBatchImages: 8, windowMs: 10 });
    await expect(batcher.generate(model, { prompt: 'x', width: 100 })).rejects.toMatchObject({ code: 'invalid_width' });
    expect(batcher.waiting).toBe(0);
  });

  it('makes, with the real engine, the same images in a batch as one at a time', async () => {
    const batcher = new GenerationBatcher({ maxBatchImages: 8, windowMs: 50 });
    const requests = [
      { prompt: 'a red circle on a blue background', seed: 1 },
      { prompt: 'a green square on a white background', seed: 2, n: 2 },
    ];
    const batched = await Promise.all(requests.map((request) => batcher.generate(model, request)));
    for (const [i, request] of requests.entries()) {
      const alone = await generate(model, request);
      expect(batched[i].images.map((image) => image.pixels)).toEqual(alone.images.map((image) => image.pixels));
    }
  });
});
