import { ProviderError, type ProviderErrorCode, type ProviderErrorOptions } from '../../errors/provider-error.ts';
import type { JobFailure } from '../../spec/image-provider-v1.ts';

/** The gpu-worker's error envelope (docs/gpu-worker.md, "Endpoints"). */
export interface WorkerErrorBody {
  code: string;
  message: string;
}

/** The envelope's `error`, or a stand-in naming the status when the body is not one. */
export function readWorkerError(text: string, status: number): WorkerErrorBody {
  let parsed: { error?: Partial<WorkerErrorBody> } | undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: a proxy's or platform's page rather than the worker's envelope; described below.
  }
  if (typeof parsed?.error?.code === 'string') {
    return { code: parsed.error.code, message: String(parsed.error.message ?? '') };
  }
  return { code: `http_${status}`, message: text.slice(0, 200) || `HTTP ${status}` };
}

/**
 * Worker codes answered before a job starts (docs/gpu-worker.md): the request was refused, nothing was generated or
 * written, so another provider may run the job without it running twice. `unknown_model` is answered before the model
 * is loaded and before anything is written.
 */
const REFUSALS: Record<string, { code: ProviderErrorCode; retryable: boolean }> = {
  invalid_json: { code: 'invalid_job', retryable: false },
  invalid_job: { code: 'invalid_job', retryable: false },
  unauthorized: { code: 'provider_unauthorized', retryable: false },
  unknown_model: { code: 'unknown_model', retryable: false },
  busy: { code: 'provider_busy', retryable: true },
  shutting_down: { code: 'provider_unavailable', retryable: true },
};

/** Worker job-failure codes that a rerun of the same job may cure (the store was down, the worker was draining). */
const RETRYABLE_FAILURES = new Set([
  'storage_unreachable',
  'storage_failed',
  'shutting_down',
  'worker_shutting_down',
  'busy',
]);

/** What a worker's error answer to an invocation means, as `ProviderError` options. */
export function workerErrorOptions(
  providerId: string,
  error: WorkerErrorBody,
  httpStatus: number,
  retryAfterMs: number | undefined,
): ProviderErrorOptions {
  const refusal = REFUSALS[error.code];
  return {
    providerId,
    code: refusal?.code ?? 'provider_failed',
    message: `provider ${providerId} answered ${httpStatus} ${error.code}: ${error.message}`,
    retryable: refusal?.retryable ?? (httpStatus >= 500 || RETRYABLE_FAILURES.has(error.code)),
    neverStarted: refusal !== undefined,
    retryAfterMs,
    httpStatus,
    details: { workerCode: error.code },
  };
}

/** The `ProviderError` for a worker's error answer to an invocation. */
export function workerCallError(
  providerId: string,
  error: WorkerErrorBody,
  httpStatus: number,
  retryAfterMs: number | undefined,
): ProviderError {
  return new ProviderError(workerErrorOptions(providerId, error, httpStatus, retryAfterMs));
}

/** How a job that the worker ran (or refused) ended, for `status`. */
export function jobFailure(error: WorkerErrorBody): JobFailure {
  return { code: error.code, message: error.message, isRetryable: RETRYABLE_FAILURES.has(error.code) };
}
