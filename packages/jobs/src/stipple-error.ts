/** What every `StippleError` may carry besides its code, message and details. */
export interface StippleErrorOptions {
  cause?: unknown;
  /** Whether the same call may succeed if made again later, unchanged. Default false. */
  retryable?: boolean;
}

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
  /** Whether the same call may succeed if made again later, unchanged (`retryable` option; default false). */
  readonly isRetryable: boolean;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, options: StippleErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
    this.isRetryable = options.retryable ?? false;
  }
}
