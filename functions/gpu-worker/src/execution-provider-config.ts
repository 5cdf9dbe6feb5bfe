import { ValidationError } from '@stipple/core';
import { type Env, readEnv, readInteger } from './env-values.ts';

/** How ONNX Runtime runs the worker's models: `loadModel`'s session options, from the environment. */
export interface ExecutionProviderConfig {
  /** `EXECUTION_PROVIDERS`: comma-separated, in order, e.g. `cuda,cpu` in GPU images. Default `cpu`. */
  executionProviders: string[];
  /**
   * `GPU_DEVICE_ID`: the GPU `cuda` and `tensorrt` run on, among those the process sees. Default 0. One worker process
   * uses one GPU; on a machine with several, run one worker per GPU with `CUDA_VISIBLE_DEVICES=<n>` (Docker's
   * `--gpus device=<n>` sets it), which CUDA renumbers so that the chosen GPU is device 0.
   */
  deviceId: number;
  /** `CPU_MEMORY_ARENA`: ONNX Runtime's CPU memory arena (`enableCpuMemArena`). Default: ONNX Runtime's (on). */
  cpuMemoryArena: boolean | undefined;
  /** `MEMORY_PATTERN`: ONNX Runtime's memory pattern planning (`enableMemPattern`). Default: ONNX Runtime's (on). */
  memoryPattern: boolean | undefined;
}

const CODE = 'invalid_worker_config';

function optionalBoolean(env: Env, name: string): boolean | undefined {
  const value = readEnv(env, name);
  if (value === undefined || value === 'true' || value === 'false')
    return value === undefined ? value : value === 'true';
  throw new ValidationError(
    CODE,
    `${name} is "${value}"; use true or false, or leave it unset for ONNX Runtime's default`,
    {
      variable: name,
      value,
      allowed: ['true', 'false'],
    },
  );
}

/**
 * `GPU_DEVICE_ID`, checked against `CUDA_VISIBLE_DEVICES` when that is a list: with `CUDA_VISIBLE_DEVICES=3` the
 * process sees one GPU, device 0, and device 1 does not exist.
 */
function readDeviceId(env: Env): number {
  const deviceId = readInteger(env, 'GPU_DEVICE_ID', 0, 0, CODE);
  const visible = readEnv(env, 'CUDA_VISIBLE_DEVICES')
    ?.split(',')
    .filter((entry) => entry.trim() !== '');
  if (visible === undefined || visible.length === 0 || deviceId < visible.length) return deviceId;
  throw new ValidationError(
    CODE,
    `GPU_DEVICE_ID is ${deviceId} but CUDA_VISIBLE_DEVICES="${env.CUDA_VISIBLE_DEVICES}" makes ${visible.length} GPU(s) visible, numbered from 0; use 0–${visible.length - 1}`,
    { variable: 'GPU_DEVICE_ID', value: deviceId, visibleDevices: visible.length },
  );
}

export function readExecutionProviderConfig(env: Env): ExecutionProviderConfig {
  const providers = (env.EXECUTION_PROVIDERS ?? 'cpu').split(',').map((provider) => provider.trim());
  return {
    executionProviders: providers.filter(Boolean),
    deviceId: readDeviceId(env),
    cpuMemoryArena: optionalBoolean(env, 'CPU_MEMORY_ARENA'),
    memoryPattern: optionalBoolean(env, 'MEMORY_PATTERN'),
  };
}
