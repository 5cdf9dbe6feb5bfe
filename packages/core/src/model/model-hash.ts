import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

const WEIGHT_FILE = /\.(onnx|onnx_data|pb|bin|data)$/;

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A SHA-256 over every weight-bearing file of the model (graphs and external data), keyed by relative path, so two
 * folders with the same weights hash alike wherever they live. Read once at load time.
 */
export async function hashModelWeights(modelDir: string): Promise<string> {
  const entries = await readdir(modelDir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && WEIGHT_FILE.test(entry.name))
    .map((entry) => relative(modelDir, join(entry.parentPath, entry.name)))
    .sort();
  const lines = await Promise.all(files.map(async (file) => `${file}:${await hashFile(join(modelDir, file))}\n`));
  return createHash('sha256').update(lines.join('')).digest('hex');
}
