import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, loadModel } from '../../packages/core/src/index.ts';
import { fixtureModel } from '../fixture-models.ts';

describe('loadModel', () => {
  it.each([
    ['sd15-int32', 'sd1', 'int32', 'int64', false, 'float32', 0.18215],
    ['sd15-int64-float-timestep', 'sd1', 'int64', 'float32', false, 'float32', 0.18215],
    ['rank0-timestep', 'sd1', 'int32', 'int64', true, 'float32', 0.18215],
    ['sd2-v-prediction', 'sd2', 'int32', 'int64', false, 'float32', 0.5],
    ['fp16', 'sd1', 'int32', 'float16', false, 'float16', 0.18215],
    ['external-data', 'sd1', 'int32', 'int64', false, 'float32', 0.18215],
    ['lcm', 'lcm', 'int32', 'int64', false, 'float32', 0.18215],
    ['sdxl', 'sdxl', 'int32', 'int64', false, 'float32', 0.13025],
  ])(
    'reads %s as %s with the graph contract it declares',
    async (variant, family, ids, timestep, scalar, sample, scaling) => {
      const model = await loadModel(fixtureModel(variant));
      try {
        expect({
          family: model.family.family,
          ids: model.textEncoders[0].contract.inputIdsType,
          timestep: model.unet.contract.timestepType,
          scalar: model.unet.contract.timestepIsScalar,
          sample: model.unet.contract.sampleType,
          scaling: model.vaeDecoder.scalingFactor,
          factor: model.vaeDecoder.spatialFactor,
        }).toEqual({ family, ids, timestep, scalar, sample, scaling, factor: 8 });
      } finally {
        await model.release();
      }
    },
  );

  it('reads the LCM guidance-embedding width and the SD 2 pad token', async () => {
    const [lcm, sd2] = await Promise.all([loadModel(fixtureModel('lcm')), loadModel(fixtureModel('sd2-v-prediction'))]);
    expect(lcm.unet.contract.timestepCondDim).toBe(256);
    expect(lcm.family.defaults).toEqual({ steps: 4, guidance: 8.5 });
    expect([sd2.tokenizer.padToken, sd2.tokenizer.padTokenId]).toEqual(['!', 0]);
    expect(sd2.defaultSize).toEqual({ width: 96, height: 96 });
    await Promise.all([lcm.release(), sd2.release()]);
  });

  it('hashes the weights, external data included, so a changed weight file changes the hash', async () => {
    const [a, b, again] = await Promise.all([
      loadModel(fixtureModel('external-data')),
      loadModel(fixtureModel('sd15-int32')),
      loadModel(fixtureModel('external-data')),
    ]);
    expect(a.weightsHash).toBe(again.weightsHash);
    expect(a.weightsHash).not.toBe(b.weightsHash);
    await Promise.all([a.release(), b.release(), again.release()]);
  });
});

describe('loadModel with stipple.json', () => {
  async function copyWith(stippleJson: string): Promise<string> {
    const dir = join(await mkdtemp(join(tmpdir(), 'stipple-defaults-')), 'model');
    await cp(fixtureModel('sd15-int32'), dir, { recursive: true });
    await writeFile(join(dir, 'stipple.json'), stippleJson);
    return dir;
  }

  it("takes the model's own steps and guidance over the family's", async () => {
    const model = await loadModel(await copyWith('{ "defaults": { "steps": 12 } }'));
    expect(model.defaults).toEqual({ steps: 12, guidance: 7.5 });
    const { record } = await generate(model, { prompt: 'a cat', width: 64, height: 64 });
    expect([record.steps, record.guidance]).toEqual([12, 7.5]);
    await model.release();
  });

  it('names the file and key of a default that is not a number', async () => {
    await expect(loadModel(await copyWith('{ "defaults": { "guidance": "high" } }'))).rejects.toThrow(
      /stipple\.json "defaults\.guidance" must be a number, found "high"/,
    );
  });
});
