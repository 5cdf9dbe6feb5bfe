/**
 * Stipple's error family. Every error a caller can act on carries a stable `code` (never reworded once released) and a
 * message that names the bad value and what is allowed. Subclasses group errors by kind so upper layers (router,
 * worker) can map them to HTTP statuses without parsing messages.
 */
export class StippleError extends Error {
  /** Stable machine-readable code, e.g. `invalid_width`. */
  readonly code: string;
  /** Extra structured facts for logs and API envelopes (the offending value, the allowed range, a file path). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** The caller asked for something outside the allowed set (a size, a step count, an unknown scheduler). */
export class ValidationError extends StippleError {}

/** A model folder is missing a file, holds a corrupt file, or does not fit the contract the engine reads. */
export class ModelError extends StippleError {}

/** Work was cancelled through an `AbortSignal`: by a caller (`aborted`) or by a deadline (`deadline_exceeded`). */
export class AbortError extends StippleError {
  constructor(message = 'generation was cancelled', code: 'aborted' | 'deadline_exceeded' = 'aborted') {
    super(code, message);
  }
}
