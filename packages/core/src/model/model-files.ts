import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** One file of a model folder, as a model manifest lists it. */
export interface ModelFile {
  /** Path relative to the model folder, with `/` separators. */
  path: string;
  size: number;
  sha256: string;
}

/** The manifest a model folder is published with (`stipple-manifest.json`), so a copy can be verified file by file. */
export interface ModelManifest {
  files: ModelFile[];
}

export const MODEL_MANIFEST_FILE = 'stipple-manifest.json';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The relative paths (with `/`) of a model folder's files that `include` accepts, the manifest excepted, sorted. */
export async function listModelPaths(modelDir: string, include: (path: string) => boolean): Promise<string[]> {
  const entries = await readdir(modelDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(modelDir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => path !== MODEL_MANIFEST_FILE && include(path))
    .sort();
}

/**
 * Every file of a model folder (the manifest itself excepted) with its size and SHA-256, sorted by path; `include`
 * narrows the list before anything is read, so only the files asked for are hashed.
 */
export async function listModelFiles(
  modelDir: string,
  include: (path: string) => boolean = () => true,
): Promise<ModelFile[]> {
  const paths = await listModelPaths(modelDir, include);
  return Promise.all(
    paths.map(async (path) => {
      const full = join(modelDir, path);
      return { path, size: (await stat(full)).size, sha256: await sha256File(full) };
    }),
  );
}
