import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createThreadedOnnxSession,
  generate,
  loadModel,
  type StableDiffusionModel,
  ValidationError,
} from '../../packages/core/src/index.ts';
import { fixtureModel } from '../fixture-models.ts';

const TINY_SHAPES = resolve(import.meta.dirname, '../../models/tiny-shapes');
/** Large enough that one UNet run lasts many times a 5 ms timer on any machine. */
const SLOW = { prompt: 'a red circle on a blue background', width: 256, height: 256, steps: 1, seed: 7 };

/** How many times a 5 ms timer fired while `work` ran: none when the event loop was blocked throughout. */
async function timerTicksDuring(work: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return ticks;
}

describe('createThreadedOnnxSession', () => {
  let threaded: StableDiffusionModel;
  let inline: StableDiffusionModel;

  beforeAll(async () => {
    threaded = await loadModel(TINY_SHAPES, { sessionFactory: createThreadedOnnxSession });
    inline = await loadModel(TINY_SHAPES);
  });
  afterAll(async () => {
    await threaded?.release();
    await inline?.release();
  });

  it('makes the very same pixels as sessions on the calling thread', async () => {
    const request = { prompt: 'a green square', width: 64, height: 64, steps: 6, seed: 11 };
    const [a, b] = [await generate(threaded, request), await generate(inline, request)];
    expect(Buffer.from(a.images[0].pixels).equals(Buffer.from(b.images[0].pixels))).toBe(true);
  });

  it("keeps the caller's event loop running while a UNet run lasts (on the calling thread it stalls)", async () => {
    // One step at 256²: the unet's single run is most of the work. Inline, nothing fires until it returns.
    const unetOnly = async (model: StableDiffusionModel) => {
      const started = Date.now();
      const ticks = await timerTicksDuring(() => generate(model, SLOW));
      return { ticks, ms: Date.now() - started };
    };
    const blocked = await unetOnly(inline);
    const free = await unetOnly(threaded);
    // Timers fire on the calling thread during the threaded run: several times more often than inline, where they
    // only fire between the stages (tokenizer, text encoder, unet, vae).
    expect(free.ticks).toBeGreaterThan(blocked.ticks + 5);
  });

  it('keeps error classes and codes across the thread', async () => {
    await expect(
      loadModel(TINY_SHAPES, { sessionFactory: createThreadedOnnxSession, executionProviders: ['no-such-provider'] }),
    ).rejects.toSatisfy((error) => error instanceof ValidationError && error.code === 'invalid_execution_provider');
    await expect(
      loadModel(fixtureModel('broken/corrupt-unet'), { sessionFactory: createThreadedOnnxSession }),
    ).rejects.toMatchObject({ code: 'model_file_corrupt' });
  });
});
