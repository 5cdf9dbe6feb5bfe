import * as ort from 'onnxruntime-node';
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

/** Opens one ONNX file (external weights beside it are found by ONNX Runtime) as a reusable session. */
export const createOnnxSession: SessionFactory = async (modelPath, options) => {
  // ONNX Runtime rejects thread options that are present but undefined, so only set the ones given.
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: [...(options.executionProviders ?? ['cpu'])],
    graphOptimizationLevel: 'all',
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
      const results = await session.run(ortFeeds);
      const outputs: Record<string, Tensor> = {};
      for (const [name, value] of Object.entries(results)) outputs[name] = fromOrtTensor(value);
      return outputs;
    },
    release: () => session.release(),
  };
  return model;
};
