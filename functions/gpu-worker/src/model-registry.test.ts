import { cp, mkdtemp, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelRegistry } from './model-registry.ts';

const fixture = (name: string) => new URL(`../../../test/fixtures/models/${name}`, import.meta.url).pathname;

async function weights(name: string): Promise<number> {
  const entries = await readdir(fixture(name), { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.onnx'));
  const sizes = await Promise.all(files.map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

function states(registry: ModelRegistry): Record<string, string> {
  return Object.fromEntries(registry.list().map(({ id, state }) => [id, state]));
}

/** Loads `dir` through a fresh registry with this hash cache; resolves with the background weights check's outcome. */
async function loadAndCheck(dir: string, hashCacheDir: string) {
  const registry = new ModelRegistry(new Map([['m', dir]]), { hashCacheDir });
  const checked = new Promise<{ unchanged: boolean }>((resolve) => {
    registry.onWeightsChecked = (_, check) => resolve(check);
  });
  await registry.get('m');
  const during = registry.list()[0].weightsCheck;
  return { registry, during, checked };
}

describe('ModelRegistry', () => {
  it('reads the weights again in the background after a load that trusted cached hashes, and tells when they changed', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'registry-weights-')), 'model');
    await cp(fixture('external-data'), dir, { recursive: true });
    const cache = await mkdtemp(join(tmpdir(), 'registry-cache-'));
    // A whole-second time, which utimes can set again exactly after the change below.
    const weights = join(dir, 'text_encoder', 'weights.pb');
    const stamp = new Date('2026-01-01T00:00:00Z');
    await utimes(weights, stamp, stamp);
    // First load: every file hashed, so nothing to check.
    const first = await loadAndCheck(dir, cache);
    expect(first.during).toBeUndefined();
    await first.registry.release();
    // Second load: from the cache, checked in the background.
    const second = await loadAndCheck(dir, cache);
    expect(second.during).toBe('checking');
    expect(await second.checked).toMatchObject({ unchanged: true });
    expect(second.registry.list()[0].weightsCheck).toBe('unchanged');
    await second.registry.release();
    // A weight changed in place, its size and modification time kept: the load trusts the cache, the check does not.
    const bytes = await readFile(weights);
    bytes[bytes.length - 1] ^= 0x01;
    await writeFile(weights, bytes);
    await utimes(weights, stamp, stamp);
    const third = await loadAndCheck(dir, cache);
    expect(await third.checked).toMatchObject({ unchanged: false });
    expect(third.registry.list()[0].weightsCheck).toBe('changed');
    await third.registry.release();
    // The cache was dropped: the next load hashes every file, and its digest is the new one.
    const fourth = await loadAndCheck(dir, cache);
    expect(fourth.during).toBeUndefined();
    expect((await fourth.registry.get('m')).load.weightsHash.hashedFiles).toBeGreaterThan(0);
    await fourth.registry.release();
  });

  it('evicts the least recently used idle model when the loaded ones exceed the memory budget', async () => {
    const registry = new ModelRegistry(
      new Map([
        ['a', fixture('sd15-int32')],
        ['b', fixture('rank0-timestep')],
        ['c', fixture('sd15-int64-float-timestep')],
      ]),
    );
    // Room for a and b together, not for a third model as well.
    registry.memoryBudgetBytes = (await weights('sd15-int32')) + (await weights('rank0-timestep'));
    (await registry.acquire('a')).release();
    (await registry.acquire('b')).release();
    expect(states(registry)).toEqual({ a: 'ready', b: 'ready', c: 'registered' });
    (await registry.acquire('c')).release();
    expect(states(registry)).toEqual({ a: 'registered', b: 'ready', c: 'ready' });
    await registry.release();
  });

  it('never evicts a model a job is using', async () => {
    const registry = new ModelRegistry(
      new Map([
        ['a', fixture('sd15-int32')],
        ['b', fixture('rank0-timestep')],
      ]),
    );
    registry.memoryBudgetBytes = 1;
    const a = await registry.acquire('a');
    const b = await registry.acquire('b');
    expect(states(registry)).toEqual({ a: 'ready', b: 'ready' });
    // Still usable: a job holding it can run to its end.
    expect(a.model.id).toBe('sd15-int32');
    a.release();
    b.release();
    await registry.release();
  });

  it('lists a loaded model with its load time by stage (what models_preloaded logs)', async () => {
    const registry = new ModelRegistry(new Map([['a', fixture('sd15-int32')]]), { hashCacheDir: null });
    expect(registry.list()[0].load).toBeUndefined();
    await registry.get('a');
    const [entry] = registry.list();
    expect(Object.keys(entry.load?.stagesMs ?? {})).toEqual(['configs', 'sessions', 'weightsHash', 'total']);
    expect(entry.load?.weightsHash).toEqual({ files: 4, hashedFiles: 4 });
    await registry.release();
  });

  it('names the known models for an unknown id', async () => {
    const registry = new ModelRegistry(new Map([['a', fixture('sd15-int32')]]));
    await expect(registry.acquire('zzz')).rejects.toThrow('model "zzz" is not served here; use one of a');
  });

  it('reads MODEL_REGISTRY as inline JSON or as a file, relative folders from the working directory or the file', async () => {
    const inline = await ModelRegistry.fromSetting('{"models":{"sd15":"models/sd15","xl":"s3://weights/sdxl"}}');
    expect(inline.list().map(({ id, dir }) => [id, dir])).toEqual([
      ['tiny-shapes', expect.stringMatching(/models\/tiny-shapes$/)],
      ['sd15', join(process.cwd(), 'models/sd15')],
      ['xl', 's3://weights/sdxl'],
    ]);
    const folder = await mkdtemp(join(tmpdir(), 'registry-'));
    await writeFile(join(folder, 'registry.json'), '{"models":{"sd15":"sd15-onnx"}}');
    const fromFile = await ModelRegistry.fromSetting(join(folder, 'registry.json'));
    expect(fromFile.list().at(-1)).toMatchObject({ id: 'sd15', dir: join(folder, 'sd15-onnx') });
  });

  it('says what is wrong with a registry that is not one', async () => {
    await expect(ModelRegistry.fromSetting('{"models":')).rejects.toMatchObject({
      code: 'invalid_worker_config',
      message: expect.stringMatching(/^MODEL_REGISTRY is not JSON/),
    });
    await expect(ModelRegistry.fromSetting('{"sd15":"models/sd15"}')).rejects.toThrow(
      'MODEL_REGISTRY must be { "models": { "<id>": "<folder or s3://bucket/prefix>" } }',
    );
  });
});
