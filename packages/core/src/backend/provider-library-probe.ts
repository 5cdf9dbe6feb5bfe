import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MissingLibraryProbe } from './execution-provider-failure.ts';

const run = promisify(execFile);

/** The first `libfoo.so.N => not found` line of `ldd`'s output. */
export function firstMissingLibrary(lddOutput: string): string | undefined {
  return /^\s*(\S+) => not found/m.exec(lddOutput)?.[1];
}

/**
 * Names the library that keeps a provider from loading: its own `libonnxruntime_providers_<provider>.so` (or the
 * shared one) when onnxruntime-node's install script has not put it in `binDir`, else the first dependency `ldd` cannot
 * find (`libcudnn.so.9`, `libnvinfer.so.10`, …). Runs only after a provider failed; undefined when `ldd` is absent or
 * finds everything.
 */
export function lddProbe(binDir: string): MissingLibraryProbe {
  return async (provider) => {
    for (const name of [`libonnxruntime_providers_${provider}.so`, 'libonnxruntime_providers_shared.so']) {
      const file = join(binDir, name);
      const present = await access(file).then(
        () => true,
        () => false,
      );
      if (!present) return name;
      const { stdout } = await run('ldd', [file]).catch(() => ({ stdout: '' }));
      const missing = firstMissingLibrary(stdout);
      if (missing) return missing;
    }
    return undefined;
  };
}
