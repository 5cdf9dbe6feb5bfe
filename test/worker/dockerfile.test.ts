import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readDockerignore } from '@stipple/test-support/dockerignore';
import { describe, expect, it } from 'vitest';
import { variablesTheWorkerReads } from '../worker-variables.ts';

// Docker cannot run here, so the image is checked through its inputs: what it copies exists, what it starts is the
// worker's entry point with the argument SageMaker passes, and the environment it sets is what the code reads.
const ROOT = resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(resolve(ROOT, 'functions/gpu-worker/Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .filter((line) => line.trim() && !line.trim().startsWith('#'));
const read = (keyword: string) =>
  instructions.filter((line) => line.startsWith(`${keyword} `)).map((line) => line.slice(keyword.length + 1));

describe('the gpu-worker Dockerfile', () => {
  it('copies only paths that exist in the repository', () => {
    const sources = read('COPY')
      .filter((args) => !args.startsWith('--from'))
      .flatMap((args) => args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) expect(existsSync(resolve(ROOT, source)), source).toBe(true);
  });

  it("starts the worker's entry point with SageMaker's serve argument", () => {
    const [entrypoint] = read('ENTRYPOINT').map((args) => JSON.parse(args) as string[]);
    expect(entrypoint.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
    expect(existsSync(resolve(ROOT, entrypoint[3]))).toBe(true);
    expect(read('CMD').map((args) => JSON.parse(args))).toEqual([['serve']]);
    expect(readFileSync(resolve(ROOT, entrypoint[3]), 'utf8')).toContain("const [command = 'serve']");
  });

  it('sets only environment the worker reads, on CUDA 12 with cuDNN 9, as root with a non-root user to choose', () => {
    const known = variablesTheWorkerReads();
    const runtimeEnv = read('ENV')
      .at(-1)!
      .split(/\s+/)
      .map((pair) => pair.split('=')[0]);
    for (const name of runtimeEnv.filter((name) => name !== 'NODE_ENV')) expect(known).toContain(name);
    expect(read('ENV')[0]).toBe('ONNXRUNTIME_NODE_INSTALL=cuda12');
    expect(read('FROM').at(-1)).toMatch(/^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime/);
    // SageMaker runs containers as root; other platforms pick `stipple`, which owns the model cache.
    expect(read('USER')).toEqual(['root']);
    const [createsUser] = read('RUN').filter((args) => args.includes('useradd'));
    expect(createsUser).toMatch(/useradd .*--uid 10001 stipple .*chown stipple \/var\/cache\/stipple/);
    expect(read('ENV').at(-1)).toContain('MODEL_CACHE_DIR=/var/cache/stipple');
    expect(read('EXPOSE')).toEqual(['8080']);
  });

  it('advertises only execution providers whose libraries it installs: CUDA 12 with cuDNN, no TensorRT', () => {
    const env = read('ENV').at(-1)!;
    const providers = /EXECUTION_PROVIDERS=(\S+)/.exec(env)?.[1].split(',') ?? [];
    expect(providers).toEqual(['cuda', 'cpu']);
    // What each provider loads (ldd libonnxruntime_providers_<name>.so), and what in the image puts it there.
    const installs: Record<string, () => boolean> = {
      cpu: () => true,
      cuda: () => read('ENV')[0] === 'ONNXRUNTIME_NODE_INSTALL=cuda12' && /-cudnn-runtime-/.test(read('FROM').at(-1)!),
      tensorrt: () => read('RUN').some((args) => /libnvinfer10/.test(args) && /libnvonnxparsers10/.test(args)),
    };
    for (const provider of providers) expect(installs[provider]?.(), provider).toBe(true);
    expect(installs.tensorrt()).toBe(false);
  });

  it("runs onnxruntime-node's install script itself, which allowScripts keeps from running on install", () => {
    const manifest = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
    expect(manifest.allowScripts['onnxruntime-node']).toBe(false);
    const [install] = read('RUN').filter((args) => args.includes('npm ci'));
    expect(install).toContain('--ignore-scripts');
    expect(install).toMatch(/&& node node_modules\/onnxruntime-node\/script\/install\.js$/);
    expect(existsSync(resolve(ROOT, 'node_modules/onnxruntime-node/script/install.js'))).toBe(true);
  });

  it('builds from a context that leaves out installed state, never one of its inputs', () => {
    const ignored = readDockerignore(resolve(ROOT, '.dockerignore'));
    const sources = read('COPY')
      .filter((args) => !args.startsWith('--from'))
      .flatMap((args) => args.split(/\s+/).slice(0, -1));
    const tracked = execFileSync('git', ['ls-files', '-z', '--', ...sources], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    expect(tracked.length).toBeGreaterThan(50);
    expect([...sources, ...tracked].filter(ignored)).toEqual([]);
    const state = ['.git/HEAD', 'node_modules/tsx/package.json', 'packages/core/node_modules/x', '.sst/platform/x'];
    const stacks = ['.stipple/credits.json', '.stipple-2/jobs.json', 'functions/router/.wrangler/state/x'];
    expect([...state, ...stacks].filter((path) => !ignored(path))).toEqual([]);
  });

  it('installs tsx as a dependency of the worker, since the image omits dev dependencies', () => {
    const manifest = JSON.parse(readFileSync(resolve(ROOT, 'functions/gpu-worker/package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toContain('tsx');
  });
});
