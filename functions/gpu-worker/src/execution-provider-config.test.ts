import { describe, expect, it } from 'vitest';
import { readExecutionProviderConfig } from './execution-provider-config.ts';

describe('readExecutionProviderConfig', () => {
  it('runs on the CPU, on GPU 0, with ONNX Runtime’s arena and memory pattern, unless told otherwise', () => {
    expect(readExecutionProviderConfig({})).toEqual({
      executionProviders: ['cpu'],
      deviceId: 0,
      cpuMemoryArena: undefined,
      memoryPattern: undefined,
    });
  });

  it('reads the providers in order and the GPU, arena and memory pattern settings', () => {
    const env = {
      EXECUTION_PROVIDERS: ' cuda, cpu ',
      GPU_DEVICE_ID: '1',
      CPU_MEMORY_ARENA: 'false',
      MEMORY_PATTERN: 'true',
    };
    expect(readExecutionProviderConfig(env)).toEqual({
      executionProviders: ['cuda', 'cpu'],
      deviceId: 1,
      cpuMemoryArena: false,
      memoryPattern: true,
    });
  });

  it('refuses a device that CUDA_VISIBLE_DEVICES hides, saying which ones exist', () => {
    expect(readExecutionProviderConfig({ CUDA_VISIBLE_DEVICES: '3', GPU_DEVICE_ID: '0' }).deviceId).toBe(0);
    expect(() => readExecutionProviderConfig({ CUDA_VISIBLE_DEVICES: '3', GPU_DEVICE_ID: '1' })).toThrow(
      'GPU_DEVICE_ID is 1 but CUDA_VISIBLE_DEVICES="3" makes 1 GPU(s) visible, numbered from 0; use 0–0',
    );
    expect(readExecutionProviderConfig({ CUDA_VISIBLE_DEVICES: '2,3', GPU_DEVICE_ID: '1' }).deviceId).toBe(1);
  });

  it('names the variable and the allowed values when a setting is malformed', () => {
    expect(() => readExecutionProviderConfig({ GPU_DEVICE_ID: '-1' })).toThrow('GPU_DEVICE_ID is "-1"');
    expect(() => readExecutionProviderConfig({ CPU_MEMORY_ARENA: 'off' })).toThrow(
      `CPU_MEMORY_ARENA is "off"; use true or false, or leave it unset for ONNX Runtime's default`,
    );
  });
});
