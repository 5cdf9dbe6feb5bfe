import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GPU_WORKER_DOCKERFILE } from '../infra/gpu-worker-image.ts';

/** The CUDA version (`12.6`) of the gpu-worker image's runtime stage, `FROM nvidia/cuda:<version>-cudnn-runtime-…`. */
export function imageCudaVersion(): string {
  const dockerfile = readFileSync(resolve(import.meta.dirname, '..', GPU_WORKER_DOCKERFILE), 'utf8');
  const from = [...dockerfile.matchAll(/^FROM (\S+)/gm)].at(-1)?.[1] ?? '';
  const version = from.match(/^nvidia\/cuda:(\d+\.\d+)\.\d+-cudnn-runtime-/)?.[1];
  if (version === undefined) throw new Error(`the image's last stage is ${from}, not an nvidia/cuda cuDNN runtime`);
  return version;
}
