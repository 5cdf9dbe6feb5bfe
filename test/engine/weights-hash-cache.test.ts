import { cp, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type StableDiffusionModel } from '../../packages/core/src/index.ts';
import { fixtureModel } from '../fixture-models.ts';

describe('loadModel weight hashing', () => {
  let root: string;
  let dir: string;
  let cacheDir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'stipple-hash-cache-'));
    dir = join(root, 'model');
    cacheDir = join(root, 'cache');
    await cp(fixtureModel('external-data'), dir, { recursive: true });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  async function load(
    hashCacheDir: string | null = cacheDir,
  ): Promise<StableDiffusionModel['load'] & { hash: string }> {
    const model = await loadModel(dir, { hashCacheDir });
    await model.release();
    return { ...model.load, hash: model.weightsHash };
  }

  it('reads every weight file once, then takes the digests from the cache', async () => {
    const first = await load();
    expect(first.weightsHash.files).toBe(5); // three graphs, unet/model.onnx_data, text_encoder/weights.pb
    expect(first.weightsHash.hashedFiles).toBe(5);
    const [cacheName] = await readdir(join(cacheDir, 'weights-hash'));
    const cache = JSON.parse(await readFile(join(cacheDir, 'weights-hash', cacheName), 'utf8'));
    expect(cache.dir).toBe(dir);
    expect(Object.keys(cache.files).sort()).toEqual([
      'text_encoder/model.onnx',
      'text_encoder/weights.pb',
      'unet/model.onnx',
      'unet/model.onnx_data',
      'vae_decoder/model.onnx',
    ]);

    const second = await load();
    expect(second.weightsHash.hashedFiles).toBe(0);
    expect(second.hash).toBe(first.hash);
    expect(Object.keys(second.stagesMs)).toEqual(['configs', 'sessions', 'weightsHash', 'total']);
    expect(Object.values(second.stagesMs).every((ms) => ms >= 0)).toBe(true);
  });

  it('reads a file again when its modification time changes', async () => {
    const before = await load();
    const file = join(dir, 'unet', 'model.onnx_data');
    const { mtime } = await stat(file);
    await utimes(file, mtime, new Date(mtime.getTime() + 60_000));
    const after = await load();
    expect(after.weightsHash.hashedFiles).toBe(1);
    expect(after.hash).toBe(before.hash);
  });

  it('reads a file again when its size changes, even with the old modification time', async () => {
    const file = join(dir, 'extra.bin');
    await writeFile(file, 'weights');
    const before = await load();
    expect(before.weightsHash.hashedFiles).toBe(1);
    const { atime, mtime } = await stat(file);
    await writeFile(file, 'weights, more of them');
    await utimes(file, atime, mtime);
    const after = await load();
    expect(after.weightsHash.hashedFiles).toBe(1);
    expect(after.hash).not.toBe(before.hash);
    await rm(file);
  });

  it('reads every file on every load without a cache', async () => {
    const cacheless = await load(null);
    expect(cacheless.weightsHash).toEqual({ files: 5, hashedFiles: 5 });
    expect(cacheless.hash).toBe((await load()).hash);
  });
});
