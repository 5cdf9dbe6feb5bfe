import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionFactory } from '../../packages/core/src/backend/model-session.ts';
import { createOnnxSession } from '../../packages/core/src/backend/onnx-session.ts';
import {
  createGenerator,
  generate,
  generateBatch,
  loadModel,
  ModelError,
  type StableDiffusionModel,
} from '../../packages/core/src/index.ts';
import { decodeLatents } from '../../packages/core/src/pipeline/decode-latents.ts';
import { StageTimer } from '../../packages/core/src/pipeline/stage-timer.ts';
import { rejection } from '../../packages/core/test-support/rejection.ts';
import { fixtureModel } from '../fixture-models.ts';

const REQUEST = { prompt: 'a red circle on a blue background', width: 64, height: 64, steps: 3, seed: 3 };

/** The `fp16-vae-upcast` fixture's fp32 decode of `torch.randn` latents, from tools/forge (diffusers' force_upcast). */
interface UpcastGolden {
  seed: number;
  latentShape: [number, number, number];
  width: number;
  height: number;
  pixels: string;
}
const golden = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../fixtures/goldens/fp16-vae-upcast.json'), 'utf8'),
) as UpcastGolden;

describe('an fp16 VAE that overflows (force_upcast)', () => {
  const copies: string[] = [];
  /** A copy of the fixture, changed by `edit`: the tests must not touch the committed folder. */
  async function copyOfFixture(edit: (dir: string) => Promise<void>): Promise<string> {
    const dir = join(await mkdtemp(join(tmpdir(), 'stipple-upcast-')), 'model');
    copies.push(dir);
    await cp(fixtureModel('fp16-vae-upcast'), dir, { recursive: true });
    await edit(dir);
    return dir;
  }
  afterAll(() => Promise.all(copies.map((dir) => rm(resolve(dir, '..'), { recursive: true, force: true }))));

  it('decodes with vae_decoder_fp32 and gives a finite picture', async () => {
    const model = await loadModel(fixtureModel('fp16-vae-upcast'));
    try {
      expect(model.vaeDecoder.upcast).toEqual({
        component: 'vae_decoder_fp32',
        forceUpcast: true,
        hasFp32Decoder: true,
      });
      expect(model.vaeDecoder.contract.latentType).toBe('float32');
      const { images } = await generate(model, REQUEST);
      expect(new Set(images[0].pixels).size).toBeGreaterThan(20);
    } finally {
      await model.release();
    }
  });

  it('decodes as diffusers does after upcasting the VAE to fp32 (forge golden)', async () => {
    const model = await loadModel(fixtureModel('fp16-vae-upcast'));
    try {
      const [channels, height, width] = golden.latentShape;
      const latents = Float32Array.from(createGenerator(golden.seed).randn(channels * height * width));
      const pixels = await decodeLatents(model, latents, golden.latentShape, golden, new StageTimer());
      const expected = Buffer.from(golden.pixels, 'base64');
      const worst = pixels.reduce((max, value, i) => Math.max(max, Math.abs(value - expected[i])), 0);
      // torch and ONNX Runtime round the last float bit differently: a pixel may move by one level.
      expect(worst).toBeLessThanOrEqual(1);
    } finally {
      await model.release();
    }
  });

  it('fails with non_finite_image and says how to export an fp32 decoder when there is none', async () => {
    const dir = await copyOfFixture((copy) => rm(join(copy, 'vae_decoder_fp32'), { recursive: true }));
    const model = await loadModel(dir);
    try {
      expect(model.vaeDecoder.upcast.component).toBe('vae_decoder');
      const error = await rejection(generate(model, REQUEST), ModelError);
      expect(error.code).toBe('non_finite_image');
      expect(error.message).toContain(join(dir, 'vae_decoder', 'model.onnx'));
      expect(error.message).toContain(`export the VAE decoder in fp32 into ${join(dir, 'vae_decoder_fp32')}`);
      expect(error.message).toContain('docs/MODELS.md');
    } finally {
      await model.release();
    }
  });

  it('leaves vae_decoder_fp32 unused when force_upcast is false, and the error says to turn it on', async () => {
    const dir = await copyOfFixture(async (copy) => {
      const file = join(copy, 'vae_decoder', 'config.json');
      const config = JSON.parse(await readFile(file, 'utf8'));
      await writeFile(file, JSON.stringify({ ...config, force_upcast: false }));
    });
    const model = await loadModel(dir);
    try {
      expect(model.vaeDecoder.upcast).toEqual({ component: 'vae_decoder', forceUpcast: false, hasFp32Decoder: true });
      const error = await rejection(generate(model, REQUEST), ModelError);
      expect(error.code).toBe('non_finite_image');
      expect(error.message).toContain('sets force_upcast to false, so set it to true');
    } finally {
      await model.release();
    }
  });
});

describe('non-finite latents', () => {
  /** The real UNet, with the first output value of the given call (1-based) turned into NaN: a UNet overflowing. */
  function unetPoisonedAt(call: number): SessionFactory {
    return async (path, options) => {
      const session = await createOnnxSession(path, options);
      if (!path.endsWith(join('unet', 'model.onnx'))) return session;
      let calls = 0;
      return {
        inputs: session.inputs,
        outputs: session.outputs,
        release: () => session.release(),
        run: async (feeds) => {
          const outputs = await session.run(feeds);
          calls += 1;
          if (calls === call) (outputs.out_sample.data as Float32Array)[0] = Number.NaN;
          return outputs;
        },
      };
    };
  }

  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(fixtureModel('sd15-int32'), { sessionFactory: unetPoisonedAt(2) });
  });
  afterAll(() => model.release());

  it('stops the job at the step that made them with non_finite_latents, and the others in its batch go on', async () => {
    const progress: number[] = [];
    const [poisoned, healthy] = await generateBatch(model, [
      { request: { ...REQUEST, guidance: 5 }, onProgress: ({ step }) => progress.push(step) },
      { request: { ...REQUEST, guidance: 5, seed: 4 } },
    ]);
    expect(poisoned.ok).toBe(false);
    const error = (poisoned as { error: ModelError }).error;
    expect(error).toBeInstanceOf(ModelError);
    expect(error.code).toBe('non_finite_latents');
    expect(error.message).toMatch(
      /^the latents became NaN \(NaN or Infinity\) at denoising step 2 of 3 \(timestep \d+\)/,
    );
    expect(error.details).toMatchObject({ step: 2, totalSteps: 3 });
    expect(progress).toEqual([1]);
    expect(healthy.ok).toBe(true);
  });
});
