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
    parsed = parsePythonJson(text);
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

const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};
// A bare NaN / Infinity / -Infinity token after `:`, `,` or `[` (never inside a string, whose quotes come first).
const NON_FINITE_TOKEN = /([:,[]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g;
// Model configs never hold a NUL, so a string starting with one can only be our marker.
const MARKER = '\u0000stipple-non-finite:';
const MARKER_IN_JSON = '\\u0000stipple-non-finite:';

/**
 * JSON as Python's `json.dump` writes it: diffusers saves `-inf` (e.g. DPM-Solver's `lambda_min_clipped`) as a bare
 * `-Infinity`, which `JSON.parse` rejects. Such tokens become marked strings, then numbers again.
 */
export function parsePythonJson(text: string): unknown {
  const marked = text.replace(
    NON_FINITE_TOKEN,
    (_, before: string, token: string) => `${before}"${MARKER_IN_JSON}${token}"`,
  );
  return JSON.parse(marked, (_, value) =>
    typeof value === 'string' && value.startsWith(MARKER) ? NON_FINITE[value.slice(MARKER.length)] : value,
  );
}

/** A numeric config value, or the default diffusers uses when the key is absent. */
export function configNumber(config: Record<string, unknown> | undefined, key: string, fallback: number): number {
  const value = config?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
