import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { sha256File } from './model-files.ts';

/** One file's digest, trusted while the file keeps the size and modification time it had when it was read. */
interface CachedHash {
  size: number;
  mtimeMs: number;
  sha256: string;
}

interface HashCache {
  version: number;
  /** The model folder's absolute path, for people reading the cache folder. */
  dir: string;
  /** By path relative to the model folder. */
  files: Record<string, CachedHash>;
}

const CACHE_VERSION = 1;

/** `$XDG_CACHE_HOME/stipple`, else `~/.cache/stipple` (the XDG Base Directory default). */
export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'stipple');
}

/** One small JSON file per model folder: `<cacheDir>/weights-hash/<first 16 hex of SHA-256(absolute folder)>.json`. */
export function hashCacheFile(cacheDir: string, modelDir: string): string {
  const name = createHash('sha256').update(modelDir).digest('hex').slice(0, 16);
  return join(cacheDir, 'weights-hash', `${name}.json`);
}

export interface HashedFiles {
  /** Each file's SHA-256, in the order of the paths given. */
  sha256: string[];
  /** How many files were read and hashed; the rest came from the cache. */
  hashedFiles: number;
  /** Why the cache could not be written, when it could not: the hashes are right either way, the next load re-reads. */
  cacheError?: string;
}

/** The cache's entries for this folder; a missing, unreadable or foreign file is an empty cache (rebuilt on write). */
async function readCache(file: string, modelDir: string): Promise<Record<string, CachedHash>> {
  try {
    const cache = JSON.parse(await readFile(file, 'utf8')) as HashCache;
    return cache.version === CACHE_VERSION && cache.dir === modelDir ? cache.files : {};
  } catch {
    return {};
  }
}

/** Written beside, then renamed over, so concurrent loads never read half a file. */
async function writeCache(file: string, cache: HashCache): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.${randomUUID()}.partial`;
  await writeFile(partial, `${JSON.stringify(cache, null, 2)}\n`);
  await rename(partial, file);
}

/**
 * SHA-256 of each file, reading only those whose size or modification time changed since the cache saw them (the
 * test `make` and rsync use). Each file is stat'ed before it is read, so one that changes while it is read is hashed
 * again next time. Without `cacheFile`, every file is read.
 */
export async function hashFilesCached(
  modelDir: string,
  paths: readonly string[],
  cacheFile: string | undefined,
): Promise<HashedFiles> {
  const cached = cacheFile ? await readCache(cacheFile, modelDir) : {};
  const files: Record<string, CachedHash> = {};
  let hashedFiles = 0;
  const sha256 = await Promise.all(
    paths.map(async (path) => {
      const full = join(modelDir, path);
      const { size, mtimeMs } = await stat(full);
      const known = cached[path];
      if (known?.size === size && known.mtimeMs === mtimeMs) {
        files[path] = known;
        return known.sha256;
      }
      hashedFiles++;
      files[path] = { size, mtimeMs, sha256: await sha256File(full) };
      return files[path].sha256;
    }),
  );
  const unchanged = hashedFiles === 0 && Object.keys(cached).length === paths.length;
  if (!cacheFile || unchanged) return { sha256, hashedFiles };
  try {
    await writeCache(cacheFile, { version: CACHE_VERSION, dir: modelDir, files });
    return { sha256, hashedFiles };
  } catch (error) {
    return { sha256, hashedFiles, cacheError: `${cacheFile}: ${(error as Error).message}` };
  }
}
