import { fromFloat16, toFloat16 } from './float16.ts';
import type { Tensor, TensorType } from './model-session.ts';

/** Builds a float input in the graph's own element type (fp16 graphs get half bits). */
export function floatTensor(values: Float32Array, type: 'float32' | 'float16', dims: readonly number[]): Tensor {
  return { type, data: type === 'float16' ? toFloat16(values) : values, dims };
}

/** Reads a float output as float32, whatever precision the graph computed in. */
export function readFloatTensor(tensor: Tensor): Float32Array {
  if (tensor.type === 'float16') return fromFloat16(tensor.data as Uint16Array);
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  throw new TypeError(`expected a float32 or float16 output, found ${tensor.type}`);
}

/**
 * Builds a tensor of one numeric value per element in any supported type. Integer types truncate toward zero, as
 * numpy's `astype(int64)` does in diffusers' ONNX pipelines.
 */
export function numericTensor(values: readonly number[], type: TensorType, dims: readonly number[]): Tensor {
  switch (type) {
    case 'int64':
      return { type, data: BigInt64Array.from(values, (value) => BigInt(Math.trunc(value))), dims };
    case 'int32':
      return { type, data: Int32Array.from(values, (value) => Math.trunc(value)), dims };
    default:
      return floatTensor(Float32Array.from(values), type, dims);
  }
}

/** Joins tensors of one type and trailing shape along the first (batch) axis. One tensor comes back as it is. */
export function concatTensors(tensors: readonly Tensor[]): Tensor {
  const [first] = tensors;
  if (tensors.length === 1) return first;
  const total = tensors.reduce((sum, tensor) => sum + tensor.data.length, 0);
  const data = new (first.data.constructor as new (length: number) => Tensor['data'])(total);
  let offset = 0;
  for (const tensor of tensors) {
    (data as Float32Array).set(tensor.data as Float32Array, offset);
    offset += tensor.data.length;
  }
  const rows = tensors.reduce((sum, tensor) => sum + tensor.dims[0], 0);
  return { type: first.type, data, dims: [rows, ...first.dims.slice(1)] };
}
