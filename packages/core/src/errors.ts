import { JOB_CANCELED, StippleError, type WORKER_SHUTTING_DOWN } from '@stipple/jobs';

/** Stipple's error base, shared with the edge packages (`@stipple/jobs`). */
export { StippleError };

/** The caller asked for something outside the allowed set (a size, a step count, an unknown scheduler). */
export class ValidationError extends StippleError {}

/** A model folder is missing a file, holds a corrupt file, or does not fit the contract the engine reads. */
export class ModelError extends StippleError {}

/**
 * ONNX Runtime could not start an execution provider the caller listed (code `execution_provider_unavailable`): a
 * CUDA, cuDNN or TensorRT library that is not installed, no visible GPU, a driver too old. The message names what is
 * missing and how to fix it; the model file is not at fault.
 */
export class ExecutionProviderError extends StippleError {}

/**
 * Work stopped through an `AbortSignal`: canceled by a caller (`canceled`, `@stipple/jobs` `JOB_CANCELED`), past its
 * deadline (`deadline_exceeded`), or handed back by a draining worker (`worker_shutting_down`).
 */
export class AbortError extends StippleError {
  constructor(
    message = 'generation was canceled',
    code: typeof JOB_CANCELED | 'deadline_exceeded' | typeof WORKER_SHUTTING_DOWN = JOB_CANCELED,
  ) {
    super(code, message);
  }
}
