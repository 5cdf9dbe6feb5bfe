import { signRequest } from '@stipple/jobs';
import type { Clock } from '../../spec/clock.ts';
import { callFailure } from '../../transport/call-failure.ts';
import type { HttpProviderSettings } from './http-provider-options.ts';

interface WorkerRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Signed when present (the worker signs the empty body of a GET or DELETE too); `undefined` = an open endpoint. */
  signedBody?: string;
}

/**
 * Requests to one gpu-worker (docs/gpu-worker.md): `/ping` and `/v1/models` open; `/invocations`, `GET` and
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
}
