import { resolve } from 'node:path';
import { SCHEDULERS } from '@stipple/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, loadModel, type StableDiffusionModel } from '../../packages/core/src/index.ts';
import { scoreImage } from '../../tools/eval/score-image.ts';

const MODEL_DIR = resolve(import.meta.dirname, '../../models/tiny-shapes');

/**
 * Sanity for every scheduler the API offers, on the default model with its default steps and guidance: the image is
 * the scene the prompt names (tools/eval's scorer: flat background colour, shape colour and kind), not noise or mush.
 * The model ships DPM-Solver++, so every other name is a swap built from its config. With DDIM's class defaults
 * (`clip_sample: true`) the same prompt gave a blue shape on green for every seed.
 */
describe('every scheduler on the default model', () => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(MODEL_DIR);
  });
  afterAll(() => model?.release());

  it.each(SCHEDULERS)('draws the prompt with %s', async (scheduler) => {
    for (const seed of [1, 2, 3]) {
      const { images, record } = await generate(model, {
        prompt: 'a red circle on a blue background',
        scheduler,
        seed,
      });
      expect(record.scheduler.name).toBe(scheduler);
      const score = scoreImage(images[0].pixels, images[0].width, images[0].height);
      expect({ seed, background: score.background, colour: score.colour, shape: score.shape }).toEqual({
        seed,
        background: 'blue',
        colour: 'red',
        shape: 'circle',
      });
    }
  });
});
