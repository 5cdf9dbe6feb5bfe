import { StippleError } from '@stipple/jobs';

/**
 * The adapters' error family: `StippleError` (from `@stipple/jobs`, which runs at the edge, unlike `@stipple/core`) with a
 * stable `code`, never reworded once released, and a message that names the bad value and what is allowed.
 */
export class AdapterError extends StippleError {}

/** A configuration value or call option outside the allowed set (an expiry above 7 days, a bad provider option). */
export class AdapterValidationError extends AdapterError {}
