import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../errors.ts';
import { parsePythonJson, readModelJson } from './read-model-json.ts';

describe('parsePythonJson', () => {
  it('reads the bare -Infinity, Infinity and NaN that Python json.dump writes', () => {
    const parsed = parsePythonJson('{"lambda_min_clipped": -Infinity, "a": [Infinity, NaN], "name": "NaN, -Infinity"}');
    expect(parsed).toEqual({
      lambda_min_clipped: Number.NEGATIVE_INFINITY,
      a: [Number.POSITIVE_INFINITY, Number.NaN],
      name: 'NaN, -Infinity',
    });
  });
});

describe('readModelJson', () => {
  it('returns undefined for an optional file that is absent and names a required one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stipple-json-'));
    expect(await readModelJson(join(dir, 'config.json'))).toBeUndefined();
    await expect(readModelJson(join(dir, 'config.json'), true)).rejects.toThrow(ModelError);
  });

  it('rejects JSON that is not an object', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stipple-json-'));
    await writeFile(join(dir, 'config.json'), '[1, 2]');
    await expect(readModelJson(join(dir, 'config.json'))).rejects.toThrow(/must hold a JSON object, found \[1,2\]/);
  });
});
