import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecutionProviderError } from '../errors.ts';
import {
  type CreateSession,
  createInferenceSession,
  createOnnxSession,
  onnxSessionFactory,
  ortSessionOptions,
} from './onnx-session.ts';
import { firstMissingLibrary } from './provider-library-probe.ts';

const UNET = resolve(import.meta.dirname, '../../../../models/tiny-shapes/unet/model.onnx');

// What onnxruntime 1.30 throws, word for word. The first is what onnxruntime-node rethrows on this very machine for
// `cuda` (no GPU libraries installed): onnxruntime/core/session/provider_bridge_ort.cc. The second is
// core/platform/posix/env.cc `LoadDynamicLibrary` (the line ONNX Runtime logs beside the first); the third
// core/providers/cuda/cuda_call.cc when CUDA loads but finds no device.
const CUDA_NOT_LOADED = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';
const TENSORRT_NOT_LOADED = 'OrtSessionOptionsAppendExecutionProvider_TensorRT: Failed to load shared library';
const CUDNN_MISSING =
  '/onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1988 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file: No such file or directory';
const NO_DEVICE =
  'CUDA failure 100: no CUDA-capable device is detected ; GPU=0 ; hostname=worker ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_execution_provider.cc ; line=280 ; expr=cudaSetDevice(info_.device_id);';

/** An `InferenceSession.create` that fails as ONNX Runtime does while `failing` is in the list, and records its calls. */
function failingWhile(failing: string, message: string) {
  const calls: Parameters<CreateSession>[1][] = [];
  const create: CreateSession = async (path, options) => {
    calls.push(options);
    const names = (options.executionProviders ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.name));
    if (names.includes(failing)) throw new Error(message);
    return createInferenceSession(path, options);
  };
  return { create, calls };
}

async function rejection(promise: Promise<unknown>): Promise<ExecutionProviderError> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(ExecutionProviderError);
  return error as ExecutionProviderError;
}

describe('ortSessionOptions', () => {
  it('gives cuda and tensorrt the device id (0 by default) and the arena and memory pattern settings when set', () => {
    const options = ortSessionOptions(['tensorrt', 'cuda', 'cpu'], {
      deviceId: 1,
      cpuMemoryArena: false,
      memoryPattern: false,
      intraOpThreads: 2,
    });
    expect(options).toMatchObject({
      executionProviders: [{ name: 'tensorrt', deviceId: 1 }, { name: 'cuda', deviceId: 1 }, 'cpu'],
      enableCpuMemArena: false,
      enableMemPattern: false,
      intraOpNumThreads: 2,
    });
    const defaults = ortSessionOptions(['cuda', 'cpu'], {});
    expect(defaults.executionProviders).toEqual([{ name: 'cuda', deviceId: 0 }, 'cpu']);
    for (const key of ['enableCpuMemArena', 'enableMemPattern', 'intraOpNumThreads', 'interOpNumThreads']) {
      expect(defaults).not.toHaveProperty(key);
    }
  });

  it('is what reaches InferenceSession.create', async () => {
    const { create, calls } = failingWhile('none', '');
    const session = await onnxSessionFactory(create)(UNET, { executionProviders: ['cpu'], memoryPattern: false });
    expect(calls).toEqual([ortSessionOptions(['cpu'], { memoryPattern: false })]);
    expect(session.executionProviders).toEqual(['cpu']);
    await session.release();
  });
});

describe('onnxSessionFactory, when a provider cannot start', () => {
  it('fails with execution_provider_unavailable naming the library ldd finds missing and how to install it', async () => {
    const { create } = failingWhile('cuda', CUDA_NOT_LOADED);
    const probed: string[] = [];
    const factory = onnxSessionFactory(create, async (provider) => {
      probed.push(provider);
      return 'libcudnn.so.9';
    });
    const error = await rejection(factory(UNET, { executionProviders: ['cuda'] }));
    expect(error.code).toBe('execution_provider_unavailable');
    expect(error.message).toBe(
      'execution provider cuda is unavailable: libcudnn.so.9 could not be loaded; cuDNN 9 for CUDA 12 is not installed: use an nvidia/cuda:12.x-cudnn-runtime image, or install libcudnn9-cuda-12',
    );
    expect(error.details).toMatchObject({ provider: 'cuda', library: 'libcudnn.so.9', requested: ['cuda'] });
    expect(probed).toEqual(['cuda']);
  });

  it('takes the library from the message when ONNX Runtime names it', async () => {
    const { create } = failingWhile('cuda', CUDNN_MISSING);
    const factory = onnxSessionFactory(create, () => Promise.reject(new Error('not probed')));
    const error = await rejection(factory(UNET, { executionProviders: ['cuda'] }));
    expect(error.details.library).toBe('libcudnn.so.9');
  });

  it('says when CUDA loads but finds no GPU', async () => {
    const { create } = failingWhile('cuda', NO_DEVICE);
    const error = await rejection(onnxSessionFactory(create)(UNET, { executionProviders: ['cuda'] }));
    expect(error.message).toContain('CUDA failed to start (error 100: no CUDA-capable device is detected)');
    expect(error.message).toContain('--gpus all');
    expect(error.details.cudaError).toBe(100);
  });

  it('falls back to the rest of the list only when the list goes on, and says so', async () => {
    const { create, calls } = failingWhile('cuda', CUDA_NOT_LOADED);
    const factory = onnxSessionFactory(create, async () => 'libcublasLt.so.12');
    const session = await factory(UNET, { executionProviders: ['cuda', 'cpu'] });
    expect(calls.map((options) => options.executionProviders)).toEqual([
      [{ name: 'cuda', deviceId: 0 }, 'cpu'],
      ['cpu'],
    ]);
    expect(session.executionProviders).toEqual(['cpu']);
    expect(session.providerFallbacks).toEqual([
      'execution provider cuda is unavailable: libcublasLt.so.12 could not be loaded; the CUDA 12 runtime libraries are not installed: use an nvidia/cuda:12.x-cudnn-runtime image, or install cuda-libraries-12-x; ran on cpu instead, as the execution providers allow',
    ]);
    await session.release();
  });

  it('drops TensorRT for CUDA when TensorRT is missing and CUDA is not', async () => {
    const { create: failing, calls } = failingWhile('tensorrt', TENSORRT_NOT_LOADED);
    // A machine with CUDA but no TensorRT: lists without tensorrt open (on this CPU-only runtime, as cpu).
    const create: CreateSession = (path, options) =>
      failing(path, options).catch((error) => {
        if (calls.length > 1) return createInferenceSession(path, { ...options, executionProviders: ['cpu'] });
        throw error;
      });
    const session = await onnxSessionFactory(create, async () => 'libnvinfer.so.10')(UNET, {
      executionProviders: ['tensorrt', 'cuda', 'cpu'],
    });
    expect(calls.at(-1)?.executionProviders).toEqual([{ name: 'cuda', deviceId: 0 }, 'cpu']);
    expect(session.executionProviders).toEqual(['cuda', 'cpu']);
    expect(session.providerFallbacks?.[0]).toContain('execution provider tensorrt is unavailable: libnvinfer.so.10');
    expect(session.providerFallbacks?.[0]).toContain('TensorRT 10 is not installed');
    await session.release();
  });

  it('leaves other errors alone (a corrupt model is not a provider problem)', async () => {
    const corrupt = new Error('Load model from x failed: Protobuf parsing failed.');
    const factory = onnxSessionFactory(() => Promise.reject(corrupt));
    await expect(factory(UNET, { executionProviders: ['cuda', 'cpu'] })).rejects.toBe(corrupt);
  });
});

describe('firstMissingLibrary', () => {
  it("reads ldd's not-found lines", () => {
    const ldd = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibcublasLt.so.12 => /usr/local/cuda/lib64/libcublasLt.so.12 (0x00007f)',
      '\tlibcudnn.so.9 => not found',
      '\tlibcufft.so.11 => not found',
    ].join('\n');
    expect(firstMissingLibrary(ldd)).toBe('libcudnn.so.9');
    expect(firstMissingLibrary('\tlibc.so.6 => /lib/libc.so.6')).toBeUndefined();
  });
});

const ortBin = join(
  dirname(createRequire(import.meta.url).resolve('onnxruntime-node')),
  '../bin/napi-v6',
  process.platform,
  process.arch,
);
const noCudaInstall = !existsSync(join(ortBin, 'libonnxruntime_providers_cuda.so'));

describe.skipIf(!noCudaInstall)('createOnnxSession where onnxruntime-node has no CUDA install (this machine)', () => {
  it('names the provider library the install script would have fetched', async () => {
    const error = await rejection(createOnnxSession(UNET, { executionProviders: ['cuda'] }));
    expect(error.details).toMatchObject({ provider: 'cuda', library: 'libonnxruntime_providers_cuda.so' });
    expect(error.message).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
  });

  it('runs cuda,cpu on the CPU', async () => {
    const session = await createOnnxSession(UNET, { executionProviders: ['cuda', 'cpu'] });
    expect(session.executionProviders).toEqual(['cpu']);
    expect(session.providerFallbacks).toHaveLength(1);
    await session.release();
  });
});
