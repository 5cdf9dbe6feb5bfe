/**
 * Stipple's error base, for every package (the engine, the worker, the CLI, and the edge, which is why it lives here:
 * it imports nothing). Every error a caller can act on carries a stable `code` (never reworded once released) and a
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
