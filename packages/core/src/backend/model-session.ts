/**
 * The small tensor world the rest of core sees. Only `onnx-session.ts` knows ONNX Runtime; everything else speaks these
 * types, so another backend (WebGPU, a remote runtime) is a one-file change.
 */

/** Element types the engine reads or writes. */
export type TensorType = 'float32' | 'float16' | 'int32' | 'int64';

export type TensorData = Float32Array | Uint16Array | Int32Array | BigInt64Array;

/** A dense tensor. `float16` data is IEEE half bits in a `Uint16Array`. */
export interface Tensor {
  readonly type: TensorType;
  readonly data: TensorData;
  readonly dims: readonly number[];
}

/** A graph input or output as the model file declares it. */
export interface ValueInfo {
  readonly name: string;
  /** Element type (`float32`, `int64`, …), or `non-tensor` for sequences and maps. */
  readonly type: string;
  /** Declared shape: numbers for fixed sizes, strings for symbolic ones (`batch_size`). Empty for rank 0 or unknown. */
  readonly shape: readonly (number | string)[];
}

export interface ModelSession {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
  /**
   * The execution providers the session was created with: the requested list, less any provider that could not start
   * when a later one in the list was there to fall back to. Absent for sessions that do not say (test doubles).
   */
  readonly executionProviders?: readonly string[];
  /** One line per provider that could not start and was fallen back from (the reason, and how to fix it). */
  readonly providerFallbacks?: readonly string[];
}

/** How sessions are created. */
export interface SessionOptions {
  /**
   * ONNX Runtime execution providers in order of preference. Default `['cpu']`; the GPU image passes `['cuda', 'cpu']`.
   * A provider that cannot start is skipped for the ones after it; with none after it, loading fails.
   */
  executionProviders?: readonly string[];
  /** Threads used inside one operator. Default: ONNX Runtime's choice (one per physical core). */
  intraOpThreads?: number;
  /** Threads used across independent operators. Default: ONNX Runtime's choice. */
  interOpThreads?: number;
  /**
   * The GPU the `cuda` and `tensorrt` providers run on, an ordinal among the devices this process sees (CUDA numbers
   * the devices in `CUDA_VISIBLE_DEVICES` from 0). Default 0: one GPU per process, the first visible one.
   */
  deviceId?: number;
  /** ONNX Runtime's CPU memory arena (`enableCpuMemArena`). Default: ONNX Runtime's (on). */
  cpuMemoryArena?: boolean;
  /** ONNX Runtime's memory pattern planning (`enableMemPattern`). Default: ONNX Runtime's (on). */
  memoryPattern?: boolean;
}

export type SessionFactory = (modelPath: string, options: SessionOptions) => Promise<ModelSession>;
