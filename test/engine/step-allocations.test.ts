import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, loadModel, type StableDiffusionModel } from '../../packages/core/src/index.ts';

const TINY_SHAPES = resolve(import.meta.dirname, '../../models/tiny-shapes');
const SIZE = 64;

/**
 * Elements of the Float32Arrays of at least `minLength` elements made with their own buffer while `work` runs: `new Float32Array(n)`,
 * `Float32Array.from`, and `map`/`slice` on those (which construct through the instance's class). Views
 * (`subarray`) share a buffer and are not counted, nor are ONNX Runtime's outputs (made in native code).
 */
async function float32Allocations(minLength: number, work: () => Promise<unknown>): Promise<number> {
  const Original = globalThis.Float32Array;
  let count = 0;
  class Counting extends Original {
    constructor(...args: unknown[]) {
      super(...(args as [number]));
      if (!(args[0] instanceof ArrayBuffer) && this.length >= minLength) count += this.length;
    }
  }
  globalThis.Float32Array = Counting as Float32ArrayConstructor;
  try {
    await work();
  } finally {
    globalThis.Float32Array = Original;
  }
  return count;
}

describe('the denoising loop', () => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(TINY_SHAPES);
  });
  afterAll(() => model?.release());

  // The UNet input's scaling, the step's x₀ and its next latents; the ancestral sampler also draws a latents' worth of
  // noise. (Before buffers were kept across steps: 10, 12, 8 and 8.)
  it.each([
    ['euler', 3],
    ['euler-ancestral', 4],
    ['ddim', 3],
    ['dpmpp-2m', 3],
  ] as const)(
    'allocates with %s at most %d latents’ worth of float32 a step under guidance',
    async (scheduler, most) => {
      const { latentChannels } = model.unet;
      const latentLength = latentChannels * (SIZE / 8) ** 2;
      const run = (steps: number) =>
        float32Allocations(latentLength, () =>
          generate(model, {
            prompt: 'a red circle',
            width: SIZE,
            height: SIZE,
            steps,
            seed: 3,
            guidance: 7,
            scheduler,
          }),
        );
      const [few, many] = [await run(4), await run(12)];
      // In latents' worth (one image's latents); the UNet's batch under guidance is two of them.
      const perStep = (many - few) / 8 / latentLength;
      console.log(`${scheduler}: ${perStep} latents' worth of Float32Array allocated per step`);
      expect(perStep).toBeLessThanOrEqual(most);
    },
  );
});
