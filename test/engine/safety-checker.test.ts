import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionFactory } from '../../packages/core/src/backend/model-session.ts';
import { createOnnxSession } from '../../packages/core/src/backend/onnx-session.ts';
import { generate, loadModel, ModelError, type StableDiffusionModel } from '../../packages/core/src/index.ts';
import { fixtureModel, SAFETY_CHECKER_KNOWN_IMAGES as KNOWN_IMAGES } from '../fixture-models.ts';

/** A checker exported as diffusers' script does it: only `out_images` and `has_nsfw_concepts`, no scores. */
const withoutScores: SessionFactory = async (path, options) => {
  const session = await createOnnxSession(path, options);
  if (!path.endsWith(join('safety_checker', 'model.onnx'))) return session;
  const kept = ['out_images', 'has_nsfw_concepts'];
  return {
    inputs: session.inputs,
    outputs: session.outputs.filter((output) => kept.includes(output.name)),
    release: () => session.release(),
    run: async (feeds) =>
      Object.fromEntries(Object.entries(await session.run(feeds)).filter(([name]) => kept.includes(name))),
  };
};

describe('the safety checker in generation', () => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(fixtureModel('safety-checker'));
  });
  afterAll(async () => {
    await model?.release();
  });

  it('loads with the model and says so in the load report', () => {
    expect(model.safetyChecker?.name).toBe('safety_checker');
    expect(model.safetyChecker?.contract).toEqual({ clipInputType: 'float32', imagesType: 'float32', hasScores: true });
    expect(model.load.safetyChecker?.ms).toBeGreaterThan(0);
  });

  it('flags the known image and not the other, reporting scores, and records that it ran', async () => {
    const { images, record } = await generate(model, KNOWN_IMAGES);
    expect(images.map((image) => [image.seed, image.contentFilter.flagged])).toEqual([
      [50, true],
      [51, false],
    ]);
    for (const { contentFilter } of images) {
      expect(contentFilter).toMatchObject({ checked: true, checkedBy: 'safety_checker' });
      expect(Object.keys(contentFilter.scores!)).toHaveLength(20);
    }
    // concept 0 looks along the flagged image's direction (cosine 0.158 vs -0.158, threshold 0)
    expect(images[0].contentFilter.scores!.concept_0).toBeGreaterThan(0.1);
    expect(images[1].contentFilter.scores!.concept_0).toBeLessThan(-0.1);
    expect(record.safetyChecker).toBe('safety_checker');
    expect(record.timings.safetyCheckerMs).toBeGreaterThan(0);
  });

  it('leaves the pixels as the model drew them: the same as the model without a checker', async () => {
    const plain = await loadModel(fixtureModel('sd15-int32'));
    try {
      const [checked, unchecked] = await Promise.all([generate(model, KNOWN_IMAGES), generate(plain, KNOWN_IMAGES)]);
      expect(checked.images.map((image) => image.pixels)).toEqual(unchecked.images.map((image) => image.pixels));
      expect(unchecked.images.map((image) => image.contentFilter)).toEqual([
        { checked: false, flagged: false },
        { checked: false, flagged: false },
      ]);
      expect(unchecked.record.safetyChecker).toBeNull();
      expect(plain.safetyChecker).toBeUndefined();
      expect(plain.load.safetyChecker).toBeUndefined();
    } finally {
      await plain.release();
    }
  });

  it('checks nothing when the generation turns it off', async () => {
    const { images, record } = await generate(model, { ...KNOWN_IMAGES, n: 1 }, { safetyCheck: false });
    expect(images[0].contentFilter).toEqual({ checked: false, flagged: false });
    expect(record.safetyChecker).toBeNull();
    expect(record.timings.safetyCheckerMs).toBe(0);
  });
});

describe('loading a safety checker', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stipple-safety-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function copyFixture(name: string): Promise<string> {
    const copy = join(dir, name);
    await cp(fixtureModel('safety-checker'), copy, { recursive: true });
    return copy;
  }

  it('reads the verdict alone from an export without scores (diffusers and Optimum export none)', async () => {
    const model = await loadModel(fixtureModel('safety-checker'), { sessionFactory: withoutScores });
    try {
      expect(model.safetyChecker?.contract.hasScores).toBe(false);
      const { images } = await generate(model, KNOWN_IMAGES);
      expect(images.map((image) => image.contentFilter)).toEqual([
        { checked: true, flagged: true, checkedBy: 'safety_checker' },
        { checked: true, flagged: false, checkedBy: 'safety_checker' },
      ]);
    } finally {
      await model.release();
    }
  });

  it('refuses a checker without its feature extractor, naming the missing file', async () => {
    const copy = await copyFixture('no-feature-extractor');
    await rm(join(copy, 'feature_extractor'), { recursive: true });
    const error = await loadModel(copy).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).code).toBe('model_file_missing');
    expect((error as ModelError).message).toBe(
      `${join(copy, 'feature_extractor', 'preprocessor_config.json')} is missing; ${join(copy, 'safety_checker', 'model.onnx')} needs its feature extractor's settings to see images as it was calibrated`,
    );
  });

  it('refuses a resampling filter it does not implement, naming the value and the one it does', async () => {
    const copy = await copyFixture('bilinear');
    const config = join(copy, 'feature_extractor', 'preprocessor_config.json');
    await writeFile(config, JSON.stringify({ resample: 2 }));
    const error = await loadModel(copy).catch((caught: unknown) => caught);
    expect((error as ModelError).code).toBe('model_config_invalid');
    expect((error as ModelError).message).toBe(
      `${config} has resample 2; expected 3 (bicubic; the engine implements no other filter)`,
    );
  });

  it('refuses a corrupt checker rather than generating unchecked', async () => {
    const copy = await copyFixture('corrupt');
    await writeFile(join(copy, 'safety_checker', 'model.onnx'), 'not an onnx file');
    const error = await loadModel(copy).catch((caught: unknown) => caught);
    expect((error as ModelError).code).toBe('model_file_corrupt');
    expect((error as ModelError).message).toContain(join(copy, 'safety_checker', 'model.onnx'));
  });
});
