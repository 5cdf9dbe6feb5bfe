import { JOB_CANCELED, type ResultManifest } from '@stipple/jobs';
import { z } from 'zod';
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
import { retryAfterMs } from '../../transport/retry-after.ts';
import { jobFailure, readWorkerError, workerCallError } from '../worker-protocol/worker-error.ts';
import { unexpectedAnswer } from './http-provider-error.ts';
import {
  type HttpProviderSettings,
  type HttpProviderSettingsInput,
  httpProviderSettingsSchema,
} from './http-provider-options.ts';
import { WorkerClient } from './worker-client.ts';

/** `http` takes no per-call options; any given are reported as ignored. */
const httpCallOptionsSchema = z.strictObject({});

export interface HttpProviderOptions extends HttpProviderSettingsInput {
  fetch?: typeof fetch;
  clock?: Clock;
  /** Where results are stored: `status` and `result` read a finished job's manifest there. */
  storage?: EdgeStorage;
}

/**
 * Our gpu-worker over HTTP(S): the local default, Kubernetes, Cloud Run with GPUs, RunPod load-balancing endpoints.
 * Stateless: `submit` hands the job over with `Prefer: respond-async` (the worker answers 202 once it has queued it,
 * and reports the job's events to the job's callback URL); `status` asks the worker, and once the worker no longer
 * holds the job, the manifest in the store says whether it succeeded. Any instance can answer for any handle.
 */
export class HttpProvider implements ImageProviderV1 {
  readonly specificationVersion = 'v1';
  readonly provider = 'http';
  readonly id: string;
  private readonly settings: HttpProviderSettings;
  private readonly client: WorkerClient;
  private readonly clock: Clock;
  private readonly storage: EdgeStorage | undefined;

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
   * `POST /invocations` with `Prefer: respond-async`: `queued` or `running` as the worker says once it has the job
   * (sending the same job again is harmless: the worker keeps one copy per job id). A refusal (busy, shutting down,
   * unauthorized, a bad job) throws with `neverStarted`.
   */
  async submit({ job, abortSignal, providerOptions }: SubmitOptions): Promise<SubmitResult> {
    const { warnings } = readProviderOptions(this.provider, httpCallOptionsSchema, providerOptions);
    const what = `submitting job ${job.jobId}`;
    if (abortSignal?.aborted) throw abortedBeforeSending(this.id, what, abortSignal);
    const headers = { 'content-type': 'application/json', prefer: 'respond-async' };
    const request = { method: 'POST', path: '/invocations', headers, signedBody: JSON.stringify(job) };
    const response = await this.client.send(request, what, abortSignal);
    const text = await response.text();
    if (response.status === 202) {
      const state = readJobState(text);
      if (!state) throw unexpectedAnswer(this.id, what, 202, response.headers.get('content-type'));
      return { handle: jobHandle(this.id, job), state, warnings };
    }
    if (response.ok) throw unexpectedAnswer(this.id, what, response.status, response.headers.get('content-type'));
    const wait = retryAfterMs(response.headers.get('retry-after'), this.clock.now());
    throw workerCallError(this.id, readWorkerError(text, response.status), response.status, wait);
  }

  /**
   * `GET /v1/jobs/:id`: `queued` or `running` while the worker holds the job, and how it ended for a while after.
   * Once the worker does not know it (a restart), the manifest, written last, is the proof of success; without one the
   * job is `unknown` here.
   */
  async status({ handle, abortSignal }: HandleCallOptions): Promise<JobStatus> {
    const path = `/v1/jobs/${encodeURIComponent(handle.jobId)}`;
    const what = `asking about job ${handle.jobId}`;
    const response = await this.client.send({ method: 'GET', path, signedBody: '' }, what, abortSignal);
    const text = await response.text();
    if (response.ok) {
      const status = readJobStatus(text);
      if (!status) throw unexpectedAnswer(this.id, what, response.status, response.headers.get('content-type'));
      return status;
    }
    if (response.status !== 404) {
      throw workerCallError(this.id, readWorkerError(text, response.status), response.status, undefined);
    }
    const manifest = await this.storage?.readManifest(handle.manifest, { abortSignal });
    return { state: manifest ? 'succeeded' : 'unknown' };
  }

  async result({ handle, abortSignal }: HandleCallOptions): Promise<ResultManifest | undefined> {
    return this.storage?.readManifest(handle.manifest, { abortSignal });
  }

  /** `DELETE /v1/jobs/:id`: the worker stops the job within a step and reports it `canceled`. */
  async cancel({ handle, abortSignal }: HandleCallOptions): Promise<CancelResult> {
    const request = { method: 'DELETE', path: `/v1/jobs/${encodeURIComponent(handle.jobId)}`, signedBody: '' };
    const response = await this.client.send(request, `canceling job ${handle.jobId}`, abortSignal);
    const text = await response.text();
    if (response.status === 202) return { canceled: true, warnings: [] };
    if (response.status === 404) {
      const message = `job ${handle.jobId} is not running or queued at provider ${this.id}; it may have ended`;
      return { canceled: false, warnings: [{ type: 'other', message }] };
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
      sync: false,
      async: true,
      cancel: true,
      // Per-step progress reaches the router through the job's callback, not through `status`.
      progress: true,
    };
  }
}

/** The worker's `{ jobId, state }` answer, when it is one. */
function readJobState(text: string): 'queued' | 'running' | undefined {
  const status = readJobStatus(text);
  return status?.state === 'queued' || status?.state === 'running' ? status.state : undefined;
}

/** The worker's `GET /v1/jobs/:id` answer (`{ state }`, with `code` and `message` when it failed), as a status. */
function readJobStatus(text: string): JobStatus | undefined {
  let answer: { state?: unknown; code?: unknown; message?: unknown };
  try {
    answer = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { state, code, message } = answer;
  if (state === 'queued' || state === 'running' || state === 'succeeded') return { state };
  if (state !== 'failed') return undefined;
  // The worker ends a canceled job failed with `JOB_CANCELED`: for the spec, that is `canceled`, not a failure.
  if (code === JOB_CANCELED) return { state: 'canceled' };
  return { state, failure: jobFailure({ code: String(code), message: String(message) }) };
}
