import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StippleError } from '@stipple/core';
import { numberedPaths } from '../output-paths.ts';
import type { JobView } from './api-client.ts';

const CONTENT_TYPE_EXTENSIONS: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
};

/**
 * Where a job's outputs go for `--out`: into a directory (one that exists, or a path ending in `/`) as
 * `{job id}.{ext}`, else at the path itself; numbered `-1`, `-2`, … when there are several (output-paths.ts).
 */
export async function outputPathsFor(job: JobView, out: string): Promise<string[]> {
  const isDirectory = /[/\\]$/.test(out) || (await stat(out).catch(() => undefined))?.isDirectory() === true;
  const extension = CONTENT_TYPE_EXTENSIONS[job.outputs[0]?.content_type ?? ''] ?? '';
  return numberedPaths(isDirectory ? join(out, `${job.id}${extension}`) : out, job.outputs.length);
}

/**
 * Fetches each output's presigned URL into its path, checking the size the job reported. `job.outputs` must be the
 * stored ones (`storedOutputs`).
 */
export async function downloadOutputs(job: JobView, paths: string[]): Promise<void> {
  for (const [i, output] of job.outputs.entries()) {
    const url = output.url ?? '';
    // The query string is the URL's signature: name the object, not the credential.
    const { origin, pathname } = new URL(url);
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw new StippleError(
        'download_failed',
        `cannot download ${origin}${pathname} (${(error as Error).cause ?? (error as Error).message})`,
      );
    }
    const body = new Uint8Array(await response.arrayBuffer());
    if (!response.ok) {
      throw new StippleError('download_failed', `${origin}${pathname} answered ${response.status}`);
    }
    if (body.length !== output.bytes) {
      throw new StippleError(
        'download_failed',
        `${origin}${pathname} sent ${body.length} bytes; the job reported ${output.bytes}`,
      );
    }
    await mkdir(dirname(paths[i]), { recursive: true });
    await writeFile(paths[i], body);
  }
}

/** The job with only its stored images, and the seeds of those the content policy blocked (no URL, never stored). */
export function storedOutputs(job: JobView): { stored: JobView; blockedSeeds: number[] } {
  return {
    stored: { ...job, outputs: job.outputs.filter((output) => output.url !== null) },
    blockedSeeds: job.outputs.filter((output) => output.url === null).map((output) => output.seed),
  };
}
