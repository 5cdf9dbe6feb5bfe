import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelError, ValidationError } from '../errors.ts';
import { executionProviderFailure, type MissingLibraryProbe } from './execution-provider-failure.ts';
import type { ModelSession, SessionFactory, SessionOptions, Tensor, TensorType, ValueInfo } from './model-session.ts';
import { lddProbe } from './provider-library-probe.ts';

/** The ONNX Runtime version, for reproducibility records. */
export const onnxRuntimeVersion: string = ort.env.versions.common;

function toValueInfo(metadata: ort.InferenceSession.ValueMetadata): ValueInfo {
  if (!metadata.isTensor) return { name: metadata.name, type: 'non-tensor', shape: [] };
  return { name: metadata.name, type: metadata.type, shape: [...metadata.shape] };
}

function fromOrtTensor(tensor: ort.Tensor): Tensor {
  return { type: tensor.type as TensorType, data: tensor.data as Tensor['data'], dims: [...tensor.dims] };
}

/** Execution providers this onnxruntime-node build knows (`cuda` and `tensorrt` need its CUDA install). */
export const supportedExecutionProviders: readonly string[] = ort
  .listSupportedBackends()
  .map((backend) => backend.name);

function checkExecutionProviders(providers: readonly string[]): void {
  const unknown = providers.filter((provider) => !supportedExecutionProviders.includes(provider));
  if (unknown.length === 0 && providers.length > 0) return;
  const found = providers.length === 0 ? 'none' : unknown.join(', ');
  throw new ValidationError(
    'invalid_execution_provider',
    `execution provider ${found} is not available; use ${supportedExecutionProviders.join(', ')}`,
    { value: providers, allowed: supportedExecutionProviders },
  );
}

/**
 * ONNX Runtime's arena refusing an allocation (`Failed to allocate memory for requested buffer of size N`) becomes a
 * `ModelError` with code `out_of_memory` that says how much was asked for and what to change; other errors pass.
 */
function outOfMemory(error: Error, modelPath: string, feeds: Readonly<Record<string, Tensor>>): ModelError | undefined {
  const requested = /Failed to allocate memory for requested buffer of size (\d+)/.exec(error.message)?.[1];
  if (requested === undefined) return undefined;
  const gib = (Number(requested) / 2 ** 30).toFixed(1);
  const shapes = Object.entries(feeds)
    .map(([name, tensor]) => `${name} [${tensor.dims.join(', ')}]`)
    .join(', ');
  return new ModelError(
    'out_of_memory',
    `${modelPath} needed a ${gib} GiB buffer for inputs ${shapes}, more than this machine can give; use a smaller size or fewer images`,
    { file: modelPath, requestedBytes: Number(requested) },
  );
}

/** Where onnxruntime-node keeps its native libraries, the GPU providers' among them (its `dist/binding.js`). */
const ORT_BIN_DIR = join(
  dirname(createRequire(import.meta.url).resolve('onnxruntime-node')),
  '..',
  'bin',
  'napi-v6',
  process.platform,
  process.arch,
);

/**
 * The options `InferenceSession.create` gets for `providers`. onnxruntime-node 1.30 reads only `deviceId` from a
 * provider's entry (js/node/src/session_options_helper.cc `ParseExecutionProviders`): the CUDA provider's other options
 * (`cudnn_conv_algo_search`, its arena) and TensorRT's (fp16, engine cache) keep ONNX Runtime's defaults, and TensorRT
 * ignores its `ORT_TENSORRT_*` variables once given options (`has_trt_options`). docs/engine.md has the table.
 */
export function ortSessionOptions(
  providers: readonly string[],
  options: SessionOptions,
): ort.InferenceSession.SessionOptions {
  const deviceId = options.deviceId ?? 0;
  return {
    executionProviders: providers.map((name) => (name === 'cuda' || name === 'tensorrt' ? { name, deviceId } : name)),
    graphOptimizationLevel: 'all',
    // ONNX Runtime's thread pools spin between runs by default. On a worker that shares its cores (the HTTP server,
    // PNG encoding, S3 uploads, or the local stack's router) the spinning took ~55 ms of CPU per 64×64 image, half the
    // worker's CPU, for a single-stream gain within noise (`npm run bench:router`, docs/engine.md).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    // ONNX Runtime rejects options that are present but undefined, so only set the ones given.
    ...(options.intraOpThreads === undefined ? {} : { intraOpNumThreads: options.intraOpThreads }),
    ...(options.interOpThreads === undefined ? {} : { interOpNumThreads: options.interOpThreads }),
    ...(options.cpuMemoryArena === undefined ? {} : { enableCpuMemArena: options.cpuMemoryArena }),
    ...(options.memoryPattern === undefined ? {} : { enableMemPattern: options.memoryPattern }),
  };
}

export type CreateSession = (
  path: string,
  options: ort.InferenceSession.SessionOptions,
) => Promise<ort.InferenceSession>;

/** ONNX Runtime's own `InferenceSession.create`. */
export const createInferenceSession: CreateSession = (path, options) => ort.InferenceSession.create(path, options);

/**
 * Creates the session with the providers in order. A provider that cannot start (a missing CUDA, cuDNN or TensorRT
 * library, no GPU) is an `ExecutionProviderError` naming it and the fix; when the list goes on past it (`cuda,cpu`),
 * the session is created with the rest instead, and the session says so. onnxruntime-node does not report which
 * provider a session runs on, so this is how the engine knows: the providers a session was created with.
 */
async function createWithFallback(
  create: CreateSession,
  probe: MissingLibraryProbe,
  modelPath: string,
  options: SessionOptions,
) {
  let providers = [...(options.executionProviders ?? ['cpu'])];
  const fallbacks: string[] = [];
  for (;;) {
    try {
      const session = await create(modelPath, ortSessionOptions(providers, options));
      return { session, providers, fallbacks };
    } catch (error) {
      const failure = await executionProviderFailure(error, providers, probe);
      if (!failure) throw error;
      const rest = providers.filter((provider) => provider !== failure.details.provider);
      if (rest.length === 0) throw failure;
      fallbacks.push(`${failure.message}; ran on ${rest.join(', ')} instead, as the execution providers allow`);
      providers = rest;
    }
  }
}

/**
 * A session factory over `create` (ONNX Runtime's `InferenceSession.create`; tests inject one that fails as a machine
 * without CUDA does).
 */
export function onnxSessionFactory(
  create: CreateSession = createInferenceSession,
  probe: MissingLibraryProbe = lddProbe(ORT_BIN_DIR),
): SessionFactory {
  return async (modelPath, options) => {
    checkExecutionProviders(options.executionProviders ?? ['cpu']);
    const { session, providers, fallbacks } = await createWithFallback(create, probe, modelPath, options);
    const model: ModelSession = {
      inputs: session.inputMetadata.map(toValueInfo),
      outputs: session.outputMetadata.map(toValueInfo),
      executionProviders: providers,
      providerFallbacks: fallbacks,
      async run(feeds) {
        const ortFeeds: Record<string, ort.Tensor> = {};
        for (const [name, tensor] of Object.entries(feeds)) {
          ortFeeds[name] = new ort.Tensor(tensor.type, tensor.data, tensor.dims);
        }
        const results = await session.run(ortFeeds).catch((error: Error) => {
          throw outOfMemory(error, modelPath, feeds) ?? error;
        });
        const outputs: Record<string, Tensor> = {};
        for (const [name, value] of Object.entries(results)) outputs[name] = fromOrtTensor(value);
        return outputs;
      },
      release: () => session.release(),
    };
    return model;
  };
}

/** Opens one ONNX file (external weights beside it are found by ONNX Runtime) as a reusable session. */
export const createOnnxSession: SessionFactory = onnxSessionFactory();
