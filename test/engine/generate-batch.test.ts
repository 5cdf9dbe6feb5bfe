import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  type GenerationJob,
  type GenerationProgress,
  type GenerationRequest,
  generate,
  generateBatch,
  generationBatchKey,
  loadModel,
  type StableDiffusionModel,
} from '../../packages/core/src/index.ts';
import { fixtureModel } from '../fixture-models.ts';

const TINY_SHAPES = resolve(import.meta.dirname, '../../models/tiny-shapes');

/** Requests that differ in everything a batch lets differ: prompts, negatives, seeds, guidance, image counts. */
function mixedRequests(shared: Partial<GenerationRequest>): GenerationRequest[] {
  return [
    { ...shared, prompt: 'a red circle on a blue background', seed: 5 },
    { ...shared, prompt: 'a green square', negativePrompt: 'blurry', seed: 900, n: 2, guidance: 3 },
    { ...shared, prompt: 'a yellow triangle on a black background', seed: 4_294_967_295, guidanceRescale: 0.7 },
  ];
}

async function pixelsOf(model: StableDiffusionModel, jobs: readonly GenerationJob[]) {
  const outcomes = await generateBatch(model, jobs);
  return outcomes.map((outcome) => {
    if (!outcome.ok) throw outcome.error;
    return outcome.result.images.map((image) => image.pixels);
  });
}

const CASES = [
  { name: 'tiny-shapes (DPM++ 2M, guided)', dir: TINY_SHAPES, shared: {} },
  {
    name: 'sd15 fixture, euler-ancestral (noise per step)',
    dir: fixtureModel('sd15-int32'),
    shared: { width: 32, height: 32, steps: 4, scheduler: 'euler-ancestral', guidance: 6 },
  },
  {
    name: 'rank-0 timestep fixture',
    dir: fixtureModel('rank0-timestep'),
    shared: { width: 32, height: 32, steps: 3, guidance: 6 },
  },
  { name: 'fp16 fixture', dir: fixtureModel('fp16'), shared: { width: 32, height: 32, steps: 3, guidance: 6 } },
  {
    name: 'LCM fixture (guidance embedding per row)',
    dir: fixtureModel('lcm'),
    shared: { width: 32, height: 32, steps: 3, guidance: 8 },
  },
  {
    name: 'SDXL fixture (text_embeds, time_ids)',
    dir: fixtureModel('sdxl'),
    shared: { width: 32, height: 32, steps: 3, guidance: 6 },
  },
];

describe.each(CASES)('generateBatch with $name', ({ dir, shared }) => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(dir);
  });
  afterAll(() => model.release());

  it('makes the same images as generating each request alone', async () => {
    const requests = mixedRequests(shared);
    const alone = [];
    for (const request of requests) alone.push((await generate(model, request)).images.map((image) => image.pixels));
    const together = await pixelsOf(
      model,
      requests.map((request) => ({ request })),
    );
    expect(together.map((images) => images.length)).toEqual([1, 2, 1]);
    expect(together).toEqual(alone);
    // Different requests made different images: the batch did not hand one job's rows to another.
    expect(together[0][0]).not.toEqual(together[1][0]);
  });
});

describe('generateBatch, per-job behaviour', () => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(TINY_SHAPES);
  });
  afterAll(() => model.release());

  it('stops a canceled job within one step while the others finish unchanged', async () => {
    const [first, second, third] = mixedRequests({ steps: 8 });
    const canceller = new AbortController();
    const steps: number[] = [];
    const reason = new AbortError('job b was canceled');
    const outcomes = await generateBatch(model, [
      { request: first },
      {
        request: second,
        signal: canceller.signal,
        onProgress: ({ step }) => {
          steps.push(step);
          if (step === 3) canceller.abort(reason);
        },
      },
      { request: third },
    ]);
    expect(steps).toEqual([1, 2, 3]);
    expect(outcomes[1]).toEqual({ ok: false, error: reason });
    const alone = await generate(model, third);
    expect(outcomes[2].ok && outcomes[2].result.images[0].pixels).toEqual(alone.images[0].pixels);
    expect(outcomes[0].ok).toBe(true);
  });

  it('fails an invalid or incompatible request alone, with its own error', async () => {
    const outcomes = await generateBatch(model, [
      { request: { prompt: 'a red circle', seed: 1 } },
      { request: { prompt: 'a blue circle', width: 100 } },
      { request: { prompt: 'a blue circle', steps: 7 } },
      { request: { prompt: 'a red circle', seed: 1 }, previewEvery: 0 },
    ]);
    expect(outcomes[0].ok).toBe(true);
    const codes = outcomes.slice(1).map((outcome) => !outcome.ok && (outcome.error as { code: string }).code);
    expect(codes).toEqual(['invalid_width', 'incompatible_batch', 'invalid_preview_every']);
    expect(!outcomes[2].ok && (outcomes[2].error as Error).message).toContain('/7/');
  });

  it('keys requests by size, steps, scheduler, guidance layout and prompt chunk count only', () => {
    const key = (request: Partial<GenerationRequest>) => generationBatchKey(model, { prompt: 'x', ...request });
    expect(key({ seed: 1, guidance: 3, n: 4, negativePrompt: 'y' })).toBe(key({}));
    expect(key({ prompt: 'x BREAK y' })).not.toBe(key({}));
    expect(key({ negativePrompt: 'x BREAK y' })).toBe(key({ prompt: 'x BREAK y' }));
    expect(key({ steps: 7 })).not.toBe(key({}));
    expect(key({ width: 32 })).not.toBe(key({}));
    expect(key({ scheduler: 'euler' })).not.toBe(key({}));
    expect(key({ guidance: 1 })).not.toBe(key({}));
    expect(() => key({ height: 3 })).toThrow(/height 3/);
  });

  /** Mean absolute difference per channel between a preview and the 8 × 8 block means of a 64 × 64 image. */
  function previewError(preview: Uint8Array, pixels: Uint8Array): number {
    let error = 0;
    for (let p = 0; p < 64; p++) {
      for (let c = 0; c < 3; c++) {
        let mean = 0;
        for (let dy = 0; dy < 8; dy++) {
          for (let dx = 0; dx < 8; dx++) mean += pixels[(((p >> 3) * 8 + dy) * 64 + (p & 7) * 8 + dx) * 3 + c] / 64;
        }
        error += Math.abs(preview[p * 3 + c] - mean) / (64 * 3);
      }
    }
    return error;
  }

  it('attaches latent previews every k steps and at the last, each like its own image', async () => {
    const previews: GenerationProgress[][] = [[], []];
    const prompts = ['a red circle on a blue background', 'a yellow triangle on a black background'];
    const outcomes = await generateBatch(
      model,
      prompts.map((prompt, i) => ({
        request: { prompt, seed: 3, n: i + 1 },
        previewEvery: 6,
        onProgress: (progress: GenerationProgress) => progress.preview && previews[i].push(progress),
      })),
    );
    const images = outcomes.map((outcome) => {
      if (!outcome.ok) throw outcome.error;
      return outcome.result.images;
    });
    expect(previews[0].map(({ step }) => step)).toEqual([6, 12, 18, 20]);
    const last = previews.map((list) => list.at(-1)!.preview!);
    expect(last.map(({ width, height, images }) => [width, height, images.length])).toEqual([
      [8, 8, 1],
      [8, 8, 2],
    ]);
    const grey = new Uint8Array(64 * 3).fill(128);
    for (const [i, preview] of last.entries()) {
      const own = previewError(preview.images[0], images[i][0].pixels);
      const other = previewError(preview.images[0], images[1 - i][0].pixels);
      expect(own).toBeLessThan(other);
      expect(own).toBeLessThan(0.7 * previewError(grey, images[i][0].pixels));
    }
  });
});
