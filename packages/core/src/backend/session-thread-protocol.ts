/** The messages between `session-thread.ts` (the caller's thread) and `session-thread-main.ts` (the inference thread). */
import { ExecutionProviderError, ModelError, StippleError, ValidationError } from '../errors.ts';
import type { SessionOptions, Tensor, ValueInfo } from './model-session.ts';

export type SessionThreadRequest = { id: number; sessionId: number } & (
  | { op: 'create'; modelPath: string; options: SessionOptions }
  | { op: 'run'; feeds: Readonly<Record<string, Tensor>> }
  | { op: 'release' }
);

export type SessionThreadResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError };

export type CreatedSession = {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  executionProviders?: readonly string[];
  providerFallbacks?: readonly string[];
};

interface SerializedError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

/** Errors cross threads as plain data (structured clone keeps neither class nor code); these rebuild them. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof StippleError) {
    return { name: error.name, message: error.message, code: error.code, details: { ...error.details } };
  }
  return { name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) };
}

const STIPPLE_ERRORS = { ExecutionProviderError, ModelError, ValidationError } as const;

export function deserializeError(error: SerializedError): Error {
  const Class = STIPPLE_ERRORS[error.name as keyof typeof STIPPLE_ERRORS];
  if (Class && error.code) return new Class(error.code, error.message, error.details);
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}
