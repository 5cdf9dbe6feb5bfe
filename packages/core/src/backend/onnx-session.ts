import * as ort from 'onnxruntime-node';
import { ModelError, ValidationError } from '../errors.ts';
import type { ModelSession, SessionFactory, Tensor, TensorType, ValueInfo } from './model-session.ts';

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

/** Opens one ONNX file (external weights beside it are found by ONNX Runtime) as a reusable session. */
export const createOnnxSession: SessionFactory = async (modelPath, options) => {
  checkExecutionProviders(options.executionProviders ?? ['cpu']);
  // ONNX Runtime rejects thread options that are present but undefined, so only set the ones given.
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: [...(options.executionProviders ?? ['cpu'])],
    graphOptimizationLevel: 'all',
    // ONNX Runtime's thread pools spin between runs by default. On a worker that shares its cores (the HTTP server,
    // PNG encoding, S3 uploads, or the local stack's router) the spinning took ~55 ms of CPU per 64×64 image, half the
    // worker's CPU, for a single-stream gain within noise (`npm run bench:router`, docs/engine.md).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    ...(options.intraOpThreads === undefined ? {} : { intraOpNumThreads: options.intraOpThreads }),
    ...(options.interOpThreads === undefined ? {} : { interOpNumThreads: options.interOpThreads }),
  });
  const model: ModelSession = {
    inputs: session.inputMetadata.map(toValueInfo),
    outputs: session.outputMetadata.map(toValueInfo),
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
