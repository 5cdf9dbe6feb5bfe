import { parseArgs } from 'node:util';
import { listModelFiles } from '@stipple/core';
import { DEFAULT_MODEL_DIR } from './default-model.ts';

export const MANIFEST_USAGE =
  'stipple-cli manifest [--model DIR]   # stipple-manifest.json for publishing the model to S3';

/** Prints the model's manifest (every file with its size and SHA-256), which a worker verifies a downloaded copy by. */
export async function manifestCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { model: { type: 'string' } } });
  const files = await listModelFiles(values.model ?? DEFAULT_MODEL_DIR);
  process.stdout.write(`${JSON.stringify({ files }, null, 2)}\n`);
  return 0;
}
