import type { ResultManifest } from '@stipple/jobs';
import { type Clock, systemClock } from '../../spec/clock.ts';
import type {
  CallOptions,
  CancelResult,
  HandleCallOptions,
  HealthReport,
  ImageProviderV1,
  JobStatus,
  ProviderCapabilities,
  SubmitOptions,
  SubmitResult,
} from '../../spec/image-provider-v1.ts';
import { jobHandle } from '../../spec/job-handle.ts';
import { parseSettings } from '../../spec/parse-settings.ts';
import { readProviderOptions } from '../../spec/provider-options.ts';
import type { EdgeStorage } from '../../storage/edge-storage.ts';
import { abortedBeforeSending } from '../../transport/call-failure.ts';
import { readWorkerError, workerCallError } from '../worker-protocol/worker-error.ts';
import {
  type HttpProviderSettings,
  type HttpProviderSettingsInput,
  httpCallOptionsSchema,
  httpProviderSettingsSchema,
} from './http-provider-options.ts';
import { InvocationRegistry } from './invocation-registry.ts';
import { WorkerClient } from './worker-client.ts';
import { WorkerInvocation } from './worker-invocation.ts';

export interface HttpProviderOptions extends HttpProviderSettingsInput {
  fetch?: typeof fetch;
  clock?: Clock;
  /** Where results are stored: lets `status` and `result` answer for jobs this instance did not submit. */
  storage?: EdgeStorage;
}

/**
 * Our gpu-worker over HTTP(S): the local default, Kubernetes, Cloud Run with GPUs, RunPod load-balancing endpoints.
 * The worker runs a job within its invocation, so this provider holds the connection open for the job's life (in
 * Workers: inside a Durable Object or `waitUntil`) and answers `status` from the invocation's event stream.
 */
export class HttpProvider implements ImageProviderV1 {
  readonly specificationVersion = 'v1';
  readonly provider = 'http';
  readonly id: string;
  private readonly settings: HttpProviderSettings;
  private readonly client: WorkerClient;
  private readonly clock: Clock;
  private readonly storage: EdgeStorage | undefined;
  private readonly invocations = new InvocationRegistry();

  constructor(options: HttpProviderOptions) {
    const { fetch: fetchOption, clock, storage, ...settings } = options;
    this.settings = parseSettings(this.provider, httpProviderSettingsSchema, settings);
    this.id = this.settings.id;
    this.clock = clock ?? systemClock;
    this.storage = storage;
    this.client = new WorkerClient(
      this.id,
      this.settings,
      fetchOption ?? ((input, init) => fetch(input, init)),
      this.clock,
    );
  }

  /**
   * Sends the job and waits up to `queuedAfterMs` for the worker to start it: `running` when it has, `queued` when
   * it is still waiting for a slot. A refusal (busy, shutting down, unauthorized, a bad job) throws with
   * `neverStarted`; the caller's signal ends the wait, and past acceptance no longer reaches the job.
   */
  async submit({ job, abortSignal, providerOptions }: SubmitOptions): Promise<SubmitResult> {
    const { options, warnings } = readProviderOptions(this.provider, httpCallOptionsSchema, providerOptions);
    const handle = jobHandle(this.id, job);
    // The same job already in flight here is not sent twice: the worker would run it twice.
    const existing = this.invocations.get(job);
    if (existing && !existing.terminal) {
      return { handle, state: existing.status.state === 'running' ? 'running' : 'queued', warnings };
    }
    if (abortSignal?.aborted) throw abortedBeforeSending(this.id, `submitting job ${job.jobId}`, abortSignal);

    const invocation = new WorkerInvocation();
    this.invocations.add(job, invocation);
    void this.client.invoke(job, invocation);
    const onAbort = () => invocation.controller.abort(abortSignal?.reason);
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    const waitLimit = new AbortController();
    try {
      const queuedAfterMs = options.queuedAfterMs ?? this.settings.queuedAfterMs;
      const waited = this.clock.sleep(queuedAfterMs, waitLimit.signal).then(() => undefined);
      const head = await Promise.race([invocation.head, waited]);
      if (head === undefined) return { handle, state: 'queued', warnings };
      if (head.kind === 'failed') {
        if (head.error.neverStarted) this.invocations.delete(job);
        throw head.error;
      }
      return { handle, state: invocation.status.state === 'succeeded' ? 'succeeded' : 'running', warnings };
    } finally {
      waitLimit.abort();
      abortSignal?.removeEventListener('abort', onAbort);
    }
  }

  async status({ handle, abortSignal }: HandleCallOptions): Promise<JobStatus> {
    const invocation = this.invocations.get(handle);
    if (invocation && invocation.status.state !== 'unknown') return invocation.status;
    // Submitted elsewhere, forgotten, or its stream broke: the manifest, written last, is the proof of success.
    const manifest = await this.storage?.readManifest(handle.manifest, { abortSignal });
    return { state: manifest ? 'succeeded' : 'unknown' };
  }

  async result({ handle, abortSignal }: HandleCallOptions): Promise<ResultManifest | undefined> {
    const manifest = this.invocations.get(handle)?.manifest;
    return manifest ?? (await this.storage?.readManifest(handle.manifest, { abortSignal }));
  }

  /** `DELETE /v1/jobs/:id`: the worker stops the job within a step; its stream then ends `cancelled`. */
  async cancel({ handle, abortSignal }: HandleCallOptions): Promise<CancelResult> {
    const request = { method: 'DELETE', path: `/v1/jobs/${encodeURIComponent(handle.jobId)}`, signedBody: '' };
    const response = await this.client.send(request, `cancelling job ${handle.jobId}`, abortSignal);
    const text = await response.text();
    if (response.status === 202) return { cancelled: true, warnings: [] };
    if (response.status === 404) {
      const message = `job ${handle.jobId} is not running or queued at provider ${this.id}; it may have ended`;
      return { cancelled: false, warnings: [{ type: 'other', message }] };
    }
    throw workerCallError(this.id, readWorkerError(text, response.status), response.status, undefined);
  }

  /** `GET /ping`: healthy once the worker's preloaded models are in. */
  async health({ abortSignal }: CallOptions = {}): Promise<HealthReport> {
    try {
      const response = await this.client.send({ method: 'GET', path: '/ping' }, 'GET /ping', abortSignal);
      const body = await response.text();
      return response.ok
        ? { healthy: true, detail: 'ready' }
        : { healthy: false, detail: `HTTP ${response.status}: ${body.slice(0, 200)}` };
    } catch (error) {
      return { healthy: false, detail: (error as Error).message };
    }
  }

  /** The models from `GET /v1/models` that have not failed to load. */
  async capabilities({ abortSignal }: CallOptions = {}): Promise<ProviderCapabilities> {
    const response = await this.client.send({ method: 'GET', path: '/v1/models' }, 'GET /v1/models', abortSignal);
    const text = await response.text();
    if (!response.ok) {
      throw workerCallError(this.id, readWorkerError(text, response.status), response.status, undefined);
    }
    const { models } = JSON.parse(text) as { models: { id: string; state: string }[] };
    return {
      models: models.filter((model) => model.state !== 'failed').map((model) => model.id),
      maxBatch: this.settings.maxBatch,
      sync: true,
      async: true,
      cancel: true,
      progress: true,
    };
  }
}
