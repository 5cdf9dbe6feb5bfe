import { SCHEDULERS } from '@stipple/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, generate, loadModel, type StableDiffusionModel } from '../../packages/core/src/index.ts';
import { FIXTURE_VARIANTS, fixtureModel } from '../fixture-models.ts';

const SIZE = { width: 64, height: 48 };

function distinctValues(pixels: Uint8Array): number {
  return new Set(pixels).size;
}

describe.each(FIXTURE_VARIANTS)('generate with the %s fixture', (variant) => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(fixtureModel(variant));
  });
  afterAll(() => model.release());

  it.each(SCHEDULERS)('makes a two-image batch of the requested size with %s', async (scheduler) => {
    const { images, record } = await generate(model, {
      prompt: 'a red circle on a blue background',
      ...SIZE,
      steps: 3,
      guidance: 7,
      scheduler,
      seed: 11,
      n: 2,
    });
    expect(images.map((image) => [image.width, image.height, image.pixels.length, image.seed])).toEqual([
      [64, 48, 64 * 48 * 3, 11],
      [64, 48, 64 * 48 * 3, 12],
    ]);
    // A real picture, not a constant or a copy: many pixel values, and different seeds give different images.
    expect(distinctValues(images[0].pixels)).toBeGreaterThan(20);
    expect(images[0].pixels).not.toEqual(images[1].pixels);
    expect(record.scheduler.name).toBe(scheduler);
    expect(record.seeds).toEqual([11, 12]);
  });

  it('gives identical pixels for the same seed and different pixels for another', async () => {
    const request = { prompt: 'a small yellow triangle', ...SIZE, steps: 2, seed: 5 };
    const [first, again, other] = await Promise.all([
      generate(model, request),
      generate(model, request),
      generate(model, { ...request, seed: 6 }),
    ]);
    expect(again.images[0].pixels).toEqual(first.images[0].pixels);
    expect(other.images[0].pixels).not.toEqual(first.images[0].pixels);
  });

  it('gives image i of a batch the pixels a single image with seed + i would get', async () => {
    const request = { prompt: 'a green square', ...SIZE, steps: 2, guidance: 3, scheduler: 'euler-ancestral' };
    const batch = await generate(model, { ...request, seed: 40, n: 2 });
    const single = await generate(model, { ...request, seed: 41 });
    const diff = batch.images[1].pixels.reduce(
      (worst, value, i) => Math.max(worst, Math.abs(value - single.images[0].pixels[i])),
      0,
    );
    // Batched and single UNet calls may round differently in the last float bit; a pixel moves by at most one level.
    expect(diff).toBeLessThanOrEqual(1);
  });
});

describe('generate', () => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(fixtureModel('sd15-int32'));
  });
  afterAll(() => model.release());

  it('reports progress once per step with growing elapsed time', async () => {
    const progress: { step: number; totalSteps: number; elapsedMs: number }[] = [];
    await generate(
      model,
      { prompt: 'a cat', ...SIZE, steps: 4, scheduler: 'ddim' },
      { onProgress: (p) => progress.push(p) },
    );
    expect(progress.map((p) => `${p.step}/${p.totalSteps}`)).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(progress[3].elapsedMs).toBeGreaterThanOrEqual(progress[0].elapsedMs);
  });

  it('stops between steps when the signal aborts', async () => {
    const controller = new AbortController();
    const steps: number[] = [];
    const run = generate(
      model,
      { prompt: 'a cat', ...SIZE, steps: 10 },
      {
        signal: controller.signal,
        onProgress: ({ step }) => {
          steps.push(step);
          if (step === 2) controller.abort();
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(steps).toEqual([1, 2]);
  });

  it('draws a seed when none is given and reports it so the image can be reproduced', async () => {
    const request = { prompt: 'a cat', ...SIZE, steps: 2 };
    const first = await generate(model, request);
    const replay = await generate(model, { ...request, seed: first.record.seeds[0] });
    expect(replay.images[0].pixels).toEqual(first.images[0].pixels);
  });

  it('reads a 150-token prompt to its end: its image differs from the same prompt cut at 75 tokens', async () => {
    const words = (word: string) => Array.from({ length: 75 }, () => word).join(' ');
    const request = { ...SIZE, steps: 2, seed: 5, guidance: 7 };
    const [long, cut] = await Promise.all([
      generate(model, { ...request, prompt: `${words('red')} ${words('blue')}` }),
      generate(model, { ...request, prompt: words('red') }),
    ]);
    expect(model.tokenizer.tokenize(`${words('red')} ${words('blue')}`).ids).toHaveLength(150);
    expect(distinctValues(long.images[0].pixels)).toBeGreaterThan(20);
    expect(long.images[0].pixels).not.toEqual(cut.images[0].pixels);
    expect(long.record.warnings).toEqual(cut.record.warnings);
  });

  it('lets guidance change the image and skips the unconditional pass at guidance ≤ 1', async () => {
    const request = { prompt: 'a blue circle', negativePrompt: 'a red square', ...SIZE, steps: 2, seed: 3 };
    const [low, high, lowOther] = await Promise.all([
      generate(model, { ...request, guidance: 1 }),
      generate(model, { ...request, guidance: 9 }),
      generate(model, { ...request, guidance: 1, negativePrompt: 'something else entirely' }),
    ]);
    expect(high.images[0].pixels).not.toEqual(low.images[0].pixels);
    // Without classifier-free guidance the negative prompt is never encoded, so it cannot matter.
    expect(lowOther.images[0].pixels).toEqual(low.images[0].pixels);
    expect(low.record.negativePrompt).toBe('');
  });

  it('applies guidance rescale', async () => {
    const request = { prompt: 'a blue circle', ...SIZE, steps: 2, seed: 3, guidance: 9 };
    const [plain, rescaled] = await Promise.all([
      generate(model, request),
      generate(model, { ...request, guidanceRescale: 0.7 }),
    ]);
    expect(rescaled.images[0].pixels).not.toEqual(plain.images[0].pixels);
    expect(rescaled.record.guidanceRescale).toBe(0.7);
  });

  it('fills the reproducibility record', async () => {
    const { record } = await generate(model, { prompt: 'a cat', ...SIZE, steps: 2, seed: 9 });
    expect(record).toMatchObject({
      model: { id: 'sd15-int32', family: 'sd1' },
      prompt: 'a cat',
      width: 64,
      height: 48,
      steps: 2,
      guidance: 7.5,
      seeds: [9],
      executionProviders: ['cpu'],
      scheduler: { name: 'euler', className: 'EulerDiscreteScheduler' },
    });
    expect(record.model.weightsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.onnxRuntimeVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(record.warnings[0]).toMatch(/ships PNDMScheduler, which Stipple does not implement; using euler/);
    expect(record.timings.unetMs).toBeGreaterThan(0);
    expect(record.timings.sessionRunMs).toBeLessThanOrEqual(record.timings.totalMs);
  });
});
