import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { listModelPaths } from './model-files.ts';
import { hashFilesCached } from './weights-hash-cache.ts';

const WEIGHT_FILE = /\.(onnx|onnx_data|pb|bin|data)$/;

export interface WeightsHash {
  /** SHA-256 over `path:sha256` lines of every weight file. */
  digest: string;
  /** Weight files in the digest. */
  files: number;
  /** Of those, how many were read this time (the rest had an unchanged size and mtime in the cache). */
  hashedFiles: number;
  /** The cache file used, if any. */
  cacheFile?: string;
  /** Why the cache could not be written, if it could not. */
  cacheError?: string;
}

/**
 * A SHA-256 over every weight-bearing file of the model (graphs and external data), keyed by relative path, so two
 * folders with the same weights hash alike wherever they live. Read at load time; with `cacheFile`, only files whose
 * size or modification time changed are read again (`hashFilesCached`).
 */
export async function hashModelWeights(modelDir: string, cacheFile?: string): Promise<WeightsHash> {
  const paths = await listModelPaths(modelDir, (path) => WEIGHT_FILE.test(path));
  const { sha256, hashedFiles, cacheError } = await hashFilesCached(modelDir, paths, cacheFile);
  const lines = paths.map((path, i) => `${path}:${sha256[i]}\n`);
  const digest = createHash('sha256').update(lines.join('')).digest('hex');
  return {
    digest,
    files: paths.length,
    hashedFiles,
    ...(cacheFile && { cacheFile }),
    ...(cacheError && { cacheError }),
  };
}

export interface WeightsCheck {
  /** True when the weights read now give the digest the model was loaded with. */
  unchanged: boolean;
  /** The digest of the weights as they are now. */
  digest: string;
  ms: number;
}

/**
 * Reads every weight file again, ignoring the cache, and compares with `expected` (the digest a load computed, partly
 * from cached per-file hashes): run in the background after a load that trusted the cache, it catches a file changed
 * without a new size or modification time. A mismatch removes `cacheFile`, so the next load hashes everything.
 */
export async function checkWeightsHash(modelDir: string, expected: string, cacheFile?: string): Promise<WeightsCheck> {
  const started = performance.now();
  const { digest } = await hashModelWeights(modelDir);
  const unchanged = digest === expected;
  if (!unchanged && cacheFile) await rm(cacheFile, { force: true });
  return { unchanged, digest, ms: performance.now() - started };
}
