import { readFile } from 'node:fs/promises';
import { ModelError } from '../errors.ts';

/** Reads a JSON file of a model folder; a missing file is `undefined` unless `required`. */
export async function readModelJson(path: string, required: true): Promise<Record<string, unknown>>;
export async function readModelJson(path: string, required?: false): Promise<Record<string, unknown> | undefined>;
export async function readModelJson(path: string, required = false): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!required) return undefined;
    throw new ModelError('model_file_missing', `${path} is missing; a Stable Diffusion ONNX export needs it`, { path });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ModelError('model_file_corrupt', `${path} is not valid JSON: ${(error as Error).message}`, { path });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ModelError('model_file_corrupt', `${path} must hold a JSON object, found ${JSON.stringify(parsed)}`, {
      path,
    });
  }
  return parsed as Record<string, unknown>;
}

/** A numeric config value, or the default diffusers uses when the key is absent. */
export function configNumber(config: Record<string, unknown> | undefined, key: string, fallback: number): number {
  const value = config?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
