import { ProviderError } from '../../errors/provider-error.ts';

/** An `http` provider answer this adapter cannot read (not the worker protocol). */
export class HttpProviderError extends ProviderError {}

/** The error for an answer that is neither the worker's job state nor its error envelope. */
export function unexpectedAnswer(providerId: string, what: string, status: number, contentType: string | null) {
  return new HttpProviderError({
    providerId,
    code: 'provider_failed',
    message: `${what} at provider ${providerId} answered ${status} with ${contentType ?? 'no content type'}; expected the gpu-worker's JSON { jobId, state }`,
    retryable: false,
    neverStarted: false,
    httpStatus: status,
  });
}
