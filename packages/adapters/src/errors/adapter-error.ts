/**
 * The adapters' error family, shaped like `@stipple/core`'s `StippleError` (which this package cannot import: core
 * pulls in ONNX Runtime, and this package runs at the edge). Every error carries a stable `code`, never reworded once
 * released, and a message that names the bad value and what is allowed.
 */
export class AdapterError extends Error {
  /** Stable machine-readable code, e.g. `provider_busy`. */
  readonly code: string;
  /** Structured facts for logs and envelopes (the provider, the HTTP status, the offending value). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** A configuration value or call option outside the allowed set (an expiry above 7 days, a bad provider option). */
export class AdapterValidationError extends AdapterError {}
