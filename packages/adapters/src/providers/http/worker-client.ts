import { type Job, signRequest } from '@stipple/jobs';
import type { ProviderError } from '../../errors/provider-error.ts';
import type { Clock } from '../../spec/clock.ts';
import { callFailure } from '../../transport/call-failure.ts';
import { retryAfterMs } from '../../transport/retry-after.ts';
import { jobFailure, readWorkerError, workerCallError } from '../worker-protocol/worker-error.ts';
import { unexpectedAnswer } from './http-provider-error.ts';
import type { HttpProviderSettings } from './http-provider-options.ts';
import type { WorkerInvocation } from './worker-invocation.ts';

interface WorkerRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Signed when present (the worker signs the empty body of a DELETE too); `undefined` = an open endpoint. */
  signedBody?: string;
}

/**
 * Requests to one gpu-worker (docs/gpu-worker.md): `/ping` and `/v1/models` open, `/invocations` and
 * `DELETE /v1/jobs/:id` signed with the worker secret; the platform's token header on all of them.
 */
export class WorkerClient {
  constructor(
    private readonly providerId: string,
    private readonly settings: HttpProviderSettings,
    private readonly fetch: typeof globalThis.fetch,
    private readonly clock: Clock,
  ) {}

  /** Sends a request; a fetch that throws becomes a `ProviderError` saying whether the request ever left. */
  async send(request: WorkerRequest, what: string, signal: AbortSignal | undefined): Promise<Response> {
    const { method, path, signedBody } = request;
    const token = this.settings.providerToken;
    const headers: Record<string, string> = { ...request.headers, ...(token ? { [token.header]: token.value } : {}) };
    if (signedBody !== undefined) {
      const timestamp = Math.floor(this.clock.now() / 1000);
      Object.assign(
        headers,
        await signRequest({ secret: this.settings.secret, method, path, body: signedBody, timestamp }),
      );
    }
    try {
      const body = signedBody === '' ? undefined : signedBody;
      return await this.fetch(new URL(path, this.settings.url), { method, headers, body, signal });
    } catch (error) {
      throw callFailure(this.providerId, what, error, signal);
    }
  }

  /**
   * `POST /invocations` asking for Server-Sent Events, followed to the job's end. Every outcome lands in
   * `invocation`: an answer other than 200 is a refusal before the job started (the worker streams nothing then).
   */
  async invoke(job: Job, invocation: WorkerInvocation): Promise<void> {
    const what = `submitting job ${job.jobId}`;
    const headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
    let response: Response;
    try {
      const request = { method: 'POST', path: '/invocations', headers, signedBody: JSON.stringify(job) };
      response = await this.send(request, what, invocation.controller.signal);
    } catch (error) {
      const failure = error as ProviderError;
      if (!failure.neverStarted) return invocation.lost(failure);
      return invocation.refused(failure, { code: failure.code, message: failure.message, isRetryable: true });
    }
    const contentType = response.headers.get('content-type');
    if (response.ok && contentType?.startsWith('text/event-stream') && response.body) {
      return invocation.follow(response.body);
    }
    if (response.ok) {
      await response.body?.cancel();
      return invocation.lost(unexpectedAnswer(this.providerId, what, response.status, contentType));
    }
    const workerError = readWorkerError(await response.text(), response.status);
    const wait = retryAfterMs(response.headers.get('retry-after'), this.clock.now());
    invocation.refused(workerCallError(this.providerId, workerError, response.status, wait), jobFailure(workerError));
  }
}
