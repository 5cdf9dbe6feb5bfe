import { join } from 'node:path';
import { ModelError } from '../errors.ts';
import type { GenerationDefaults } from './model-family.ts';
import { readModelJson } from './read-model-json.ts';

/**
 * A model's own generation defaults, from an optional `stipple.json` beside `model_index.json`:
 * `{ "defaults": { "steps": 20, "guidance": 5 } }`. Models trained for a particular sampler setting ship it there;
 * anything it leaves out keeps the family's default.
 */
export async function readModelDefaults(dir: string, family: GenerationDefaults): Promise<GenerationDefaults> {
  const path = join(dir, 'stipple.json');
  const file = await readModelJson(path);
  const given = file?.defaults;
  if (given === undefined) return family;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new ModelError('model_file_corrupt', `${path} "defaults" must be an object, found ${JSON.stringify(given)}`, {
      path,
    });
  }
  const defaults = { ...family };
  for (const key of ['steps', 'guidance'] as const) {
    const value = (given as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ModelError(
        'model_file_corrupt',
        `${path} "defaults.${key}" must be a number, found ${JSON.stringify(value)}`,
        {
          path,
          key,
        },
      );
    }
    defaults[key] = value;
  }
  return defaults;
}
