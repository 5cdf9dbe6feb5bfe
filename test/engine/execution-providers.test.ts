import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createThreadedOnnxSession,
  ExecutionProviderError,
  generate,
  loadModel,
} from '../../packages/core/src/index.ts';

const TINY_SHAPES = resolve(import.meta.dirname, '../../models/tiny-shapes');
const require = createRequire(resolve(import.meta.dirname, '../../packages/core/package.json'));
const ortBin = join(dirname(require.resolve('onnxruntime-node')), '../bin/napi-v6', process.platform, process.arch);
// Machines without onnxruntime-node's CUDA install (dev machines, CI) are where CUDA really cannot start.
const withoutCuda = !existsSync(join(ortBin, 'libonnxruntime_providers_cuda.so'));

describe.skipIf(!withoutCuda)('execution providers on a machine without CUDA', () => {
  it('fails a cuda-only load with execution_provider_unavailable, not model_file_corrupt, across the thread', async () => {
    const error = await loadModel(TINY_SHAPES, {
      sessionFactory: createThreadedOnnxSession,
      executionProviders: ['cuda'],
    }).catch((error: unknown) => error);
    expect(error).toBeInstanceOf(ExecutionProviderError);
    expect(error).toMatchObject({
      code: 'execution_provider_unavailable',
      details: { provider: 'cuda', library: 'libonnxruntime_providers_cuda.so' },
    });
  });

  it('runs cuda,cpu on the CPU and says so in the generation record', async () => {
    const model = await loadModel(TINY_SHAPES, {
      sessionFactory: createThreadedOnnxSession,
      executionProviders: ['cuda', 'cpu'],
    });
    try {
      expect(model.executionProviders).toEqual(['cpu']);
      const { record } = await generate(model, { prompt: 'a red circle', width: 64, height: 64, steps: 2, seed: 1 });
      expect(record.executionProviders).toEqual(['cpu']);
      expect(record.warnings).toEqual([expect.stringMatching(/^execution provider cuda is unavailable: .*ran on cpu/)]);
    } finally {
      await model.release();
    }
  });
});

describe('loadModel', () => {
  it('refuses a device id that is not a GPU ordinal', async () => {
    await expect(loadModel(TINY_SHAPES, { deviceId: -1 })).rejects.toMatchObject({ code: 'invalid_device_id' });
  });
});
