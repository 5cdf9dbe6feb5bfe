import { createHash } from 'node:crypto';
import { listModelFiles } from './model-files.ts';

const WEIGHT_FILE = /\.(onnx|onnx_data|pb|bin|data)$/;

/**
 * A SHA-256 over every weight-bearing file of the model (graphs and external data), keyed by relative path, so two
 * folders with the same weights hash alike wherever they live. Read once at load time.
 */
export async function hashModelWeights(modelDir: string): Promise<string> {
  const files = await listModelFiles(modelDir, (path) => WEIGHT_FILE.test(path));
  const lines = files.map((file) => `${file.path}:${file.sha256}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}
