import { ProviderError } from '../errors/provider-error.ts';

/**
 * Socket error codes that mean no connection was ever made, so no byte of the request reached the provider: refused,
 * no route, no DNS answer, connect timeout. Node's fetch (undici) puts them on the error's `cause`; other runtimes
 * (workerd) give no such proof, and their errors count as "may have started".
 */
const NEVER_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** True when a fetch error proves the request never left this process. */
export function neverConnected(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Object && depth < 5; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && NEVER_CONNECTED_CODES.has(code)) return true;
    current = cause;
  }
  return false;
}

/**
 * The `ProviderError` for a fetch that threw. A call the caller aborted is `call_aborted`; it may have reached the
 * provider unless `sent` is false. Any other throw is `provider_unreachable`, provably unstarted only when the
 * connection was never made.
 */
export function callFailure(providerId: string, what: string, error: unknown, signal?: AbortSignal): ProviderError {
  if (signal?.aborted) {
    const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
    return new ProviderError({
      providerId,
      code: 'call_aborted',
      message: `${what} at provider ${providerId} was aborted: ${reason}`,
      retryable: true,
      neverStarted: false,
      cause: signal.reason,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  const refused = neverConnected(error);
  return new ProviderError({
    providerId,
    code: 'provider_unreachable',
    message: `${what} at provider ${providerId} got no response${refused ? ' (connection never made)' : ''}: ${reason}`,
    retryable: true,
    neverStarted: refused,
    cause: error,
  });
}

/** The error for a call whose signal was aborted before anything was sent: provably unstarted. */
export function abortedBeforeSending(providerId: string, what: string, signal: AbortSignal): ProviderError {
  return new ProviderError({
    providerId,
    code: 'call_aborted',
    message: `${what} at provider ${providerId} was aborted before it was sent`,
    retryable: true,
    neverStarted: true,
    cause: signal.reason,
  });
}
