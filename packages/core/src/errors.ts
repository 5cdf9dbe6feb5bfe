import { StippleError } from '@stipple/jobs';

/** Stipple's error base, shared with the edge packages (`@stipple/jobs`). */
export { StippleError };

/** The caller asked for something outside the allowed set (a size, a step count, an unknown scheduler). */
export class ValidationError extends StippleError {}

/** A model folder is missing a file, holds a corrupt file, or does not fit the contract the engine reads. */
export class ModelError extends StippleError {}

/** Work was cancelled through an `AbortSignal`: by a caller (`aborted`) or by a deadline (`deadline_exceeded`). */
export class AbortError extends StippleError {
  constructor(
    message = 'generation was cancelled',
    code: 'aborted' | 'deadline_exceeded' | 'worker_shutting_down' = 'aborted',
  ) {
    super(code, message);
  }
}
