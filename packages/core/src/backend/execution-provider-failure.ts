import { ExecutionProviderError } from '../errors.ts';

/** GPU providers, in the order a failure that names none is blamed on (TensorRT starts CUDA under it). */
const GPU_PROVIDERS = ['tensorrt', 'cuda'] as const;

/**
 * Finds the library a provider needs and cannot load (`ldd` on its shared library, say). Only called when ONNX
 * Runtime's own message does not name one; undefined when it cannot tell.
 */
export type MissingLibraryProbe = (provider: string) => Promise<string | undefined>;

/**
 * What ONNX Runtime 1.30 says when a provider cannot start, as onnxruntime-node rethrows it:
 * - `OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library` (and `…_TensorRT: …`):
 *   onnxruntime/core/session/provider_bridge_ort.cc, when the provider's shared library or one of its dependencies
 *   does not load. The dlopen error naming the library goes only to ONNX Runtime's log, so it is probed for.
 * - `Failed to load library libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object
 *   file: No such file or directory`: onnxruntime/core/platform/posix/env.cc `LoadDynamicLibrary`, surfaced whole.
 * - `CUDA failure 100: no CUDA-capable device is detected ; GPU=0 ; hostname=… ; file=… ; expr=cudaSetDevice(…);`:
 *   onnxruntime/core/providers/cuda/cuda_call.cc, when the provider loads but CUDA cannot start.
 */
const SHARED_LIBRARY = /AppendExecutionProvider_(Cuda|TensorRT)\w*: Failed to load shared library/i;
const LOAD_LIBRARY = /Failed to load library (\S+) with error: (?:(\S+?): )?cannot open shared object file/;
const CUDA_FAILURE = /CUDA failure (\d+): ([^;]+?)\s*;/;

/** How to get a missing library, by its file name. */
const LIBRARY_FIXES: readonly [RegExp, string][] = [
  [
    /^libonnxruntime_providers_/,
    "onnxruntime-node's GPU provider libraries are not installed: run `ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js` (the gpu-worker image does)",
  ],
  [
    /^libcudnn/,
    'cuDNN 9 for CUDA 12 is not installed: use an nvidia/cuda:12.x-cudnn-runtime image, or install libcudnn9-cuda-12',
  ],
  [
    /^lib(nvinfer|nvonnxparser)/,
    "TensorRT 10 is not installed: install libnvinfer10, libnvinfer-plugin10 and libnvonnxparsers10 from NVIDIA's CUDA repository, or leave tensorrt out of the execution providers",
  ],
  [
    /^libcuda\.so/,
    "the NVIDIA driver's library is not visible: run the container with the NVIDIA Container Toolkit (`docker run --gpus all`)",
  ],
  [
    /^lib(cu|nv)/,
    'the CUDA 12 runtime libraries are not installed: use an nvidia/cuda:12.x-cudnn-runtime image, or install cuda-libraries-12-x',
  ],
];

/** CUDA runtime errors (cuda_runtime_api.h `cudaError`) a provider meets at start, and what to do. */
const CUDA_FIXES: Readonly<Record<string, string>> = {
  '35': 'the NVIDIA driver is older than CUDA 12 needs: use driver 525.60.13 or later',
  '100': 'no GPU is visible to this process: run the container with `--gpus all` and check `nvidia-smi`',
  '101':
    'the device id is not a GPU this process sees: set GPU_DEVICE_ID below the number of devices in CUDA_VISIBLE_DEVICES',
};

function libraryFix(library: string): string {
  return LIBRARY_FIXES.find(([pattern]) => pattern.test(library))?.[1] ?? `make ${library} findable (LD_LIBRARY_PATH)`;
}

function blamed(named: string | undefined, providers: readonly string[]): string | undefined {
  const provider = named?.toLowerCase();
  if (provider && providers.includes(provider)) return provider;
  return GPU_PROVIDERS.find((gpu) => providers.includes(gpu));
}

/**
 * An `ExecutionProviderError` naming the provider, the library or CUDA error, and the fix, when `error` is ONNX Runtime
 * failing to start one of `providers`; undefined for any other error (a corrupt model, say).
 */
export async function executionProviderFailure(
  error: unknown,
  providers: readonly string[],
  probe: MissingLibraryProbe,
): Promise<ExecutionProviderError | undefined> {
  const message = (error as Error)?.message ?? String(error);
  const shared = SHARED_LIBRARY.exec(message);
  const loaded = LOAD_LIBRARY.exec(message);
  const cuda = CUDA_FAILURE.exec(message);
  if (!shared && !loaded && !cuda) return undefined;
  const named = shared?.[1] ?? /providers_(cuda|tensorrt)/.exec(loaded?.[1] ?? '')?.[1] ?? undefined;
  const provider = blamed(named ?? (/tensorrt/i.test(message) ? 'tensorrt' : 'cuda'), providers);
  if (provider === undefined) return undefined;
  const details: Record<string, unknown> = { provider, requested: [...providers], cause: message };
  if (cuda) {
    const [, code, text] = cuda;
    details.cudaError = Number(code);
    const fix = CUDA_FIXES[code] ?? 'check the NVIDIA driver and the GPU with `nvidia-smi`';
    return unavailable(`CUDA failed to start (error ${code}: ${text}); ${fix}`, provider, details, error);
  }
  const library = loaded ? (loaded[2] ?? loaded[1]) : await probe(provider).catch(() => undefined);
  if (library === undefined) {
    const fix = `check its CUDA, cuDNN and TensorRT libraries with \`ldd libonnxruntime_providers_${provider}.so\``;
    return unavailable(`its shared library did not load (${message}); ${fix}`, provider, details, error);
  }
  details.library = library;
  return unavailable(`${library} could not be loaded; ${libraryFix(library)}`, provider, details, error);
}

function unavailable(
  reason: string,
  provider: string,
  details: Record<string, unknown>,
  cause: unknown,
): ExecutionProviderError {
  return new ExecutionProviderError(
    'execution_provider_unavailable',
    `execution provider ${provider} is unavailable: ${reason}`,
    details,
    { cause },
  );
}
