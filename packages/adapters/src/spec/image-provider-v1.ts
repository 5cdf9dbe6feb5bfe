import type { Job, ResultManifest } from '@stipple/jobs';

/**
 * Version 1 of the GPU provider specification, shaped like vercel/ai's provider specs (`image-model-v3.ts`): a
 * versioned type, every option passed in the call, provider-specific options under the provider's own key, an
 * `AbortSignal` per call, and warnings for inputs a provider ignores. Transport (fetch) and time (clock) are injected
 * when a provider is created.
 */
export interface ImageProviderV1 {
  readonly specificationVersion: 'v1';
  /** The implementation: `http`, `sagemaker-async`, `sagemaker-realtime`; also the key of its `providerOptions`. */
  readonly provider: string;
  /** This instance's name in a pool and in logs, e.g. `gpu-eu-1`. */
  readonly id: string;

  /**
   * Hands a job to the provider. Resolves once the provider has accepted it (or, for a synchronous provider, finished
   * it); rejects with a `ProviderError` otherwise, whose `neverStarted` says whether the job provably never started.
   */
  submit(options: SubmitOptions): Promise<SubmitResult>;
  /** Where a submitted job stands. */
  status(options: HandleCallOptions): Promise<JobStatus>;
  /** Asks the provider to stop a job; a provider that cannot says so in `warnings` rather than throwing. */
  cancel(options: HandleCallOptions): Promise<CancelResult>;
  /** The job's result manifest once it has succeeded; `undefined` before. */
  result(options: HandleCallOptions): Promise<ResultManifest | undefined>;
  /** Whether the provider can take jobs now. Never throws for an unhealthy provider: it reports it. */
  health(options?: CallOptions): Promise<HealthReport>;
  /** What the provider serves and how. */
  capabilities(options?: CallOptions): Promise<ProviderCapabilities>;
}

/** Options of every call. */
export interface CallOptions {
  /** Ends this call (not the job: see `cancel`); undefined = the call runs to its end. */
  abortSignal?: AbortSignal;
}

/** Provider-specific options, each under its provider's name: `{ 'sagemaker-async': { requestTtlSeconds: 600 } }`. */
export type ProviderOptions = Record<string, Record<string, unknown>>;

export interface SubmitOptions extends CallOptions {
  /** The job, as `@stipple/jobs` `jobSchema` parses it. */
  job: Job;
  /** Options for this provider under `providerOptions[provider.provider]`; others' keys are ignored. */
  providerOptions?: ProviderOptions;
}

export interface HandleCallOptions extends CallOptions {
  handle: ProviderJobHandle;
}

/** A submitted job, as JSON so a router can store it and ask any instance of the same provider about it later. */
export interface ProviderJobHandle {
  /** The `id` of the provider that holds the job. */
  providerId: string;
  jobId: string;
  tenantId: string;
  /** Where the worker writes the result manifest (`@stipple/jobs` `manifestKey`). */
  manifest: { bucket: string; key: string };
  /** Provider-specific facts, e.g. SageMaker's inference id and output location. */
  providerData?: Record<string, string>;
}

/**
 * `queued`: accepted and not known to be running (SageMaker asynchronous inference reports this until its output
 * appears, however long scaling from zero takes); `running`: generating; `succeeded`: the manifest is written.
 */
export type AcceptedState = 'queued' | 'running' | 'succeeded';

export interface SubmitResult {
  handle: ProviderJobHandle;
  state: AcceptedState;
  warnings: ProviderWarning[];
}

/** `unknown`: this provider has no record of the job and no result of it. */
export type JobState = AcceptedState | 'failed' | 'canceled' | 'unknown';

export interface JobProgress {
  /** Denoising steps finished. */
  step: number;
  totalSteps: number;
  /** Estimated milliseconds left. */
  etaMs: number;
  /** The latest low-resolution preview, when the job asked for them (`previewEvery`) and the provider reports them. */
  preview?: JobPreview;
}

/** The worker's preview of a job's images mid-way: PNG data URLs at 1/8 of the final size. */
export interface JobPreview {
  width: number;
  height: number;
  images: string[];
}

export interface JobFailure {
  /** The worker's error code, e.g. `deadline_exceeded`, `storage_unreachable`. */
  code: string;
  message: string;
  /** Whether running the same job again may succeed. */
  isRetryable: boolean;
}

export interface JobStatus {
  state: JobState;
  /** The latest progress, when the provider reports it and the job is running. */
  progress?: JobProgress;
  /** Why the job failed, when `state` is `failed`. */
  failure?: JobFailure;
}

export interface CancelResult {
  /** True when the provider confirmed it is stopping the job. */
  canceled: boolean;
  warnings: ProviderWarning[];
}

export interface HealthReport {
  healthy: boolean;
  /** What was seen, for logs: `ready`, `loading`, `unreachable: …`, SageMaker's endpoint status. */
  detail: string;
}

export interface ProviderCapabilities {
  /** Model ids this provider serves. */
  models: string[];
  /** Most images one batch generates (1 without batching). */
  maxBatch: number;
  /** Whether a job can be run to completion within one call (`submit` answers `succeeded`). */
  sync: boolean;
  /** Whether `submit` returns before the job ends, to be followed by `status` and `result`. */
  async: boolean;
  /** Whether `cancel` can stop a job. */
  cancel: boolean;
  /** Whether `status` reports per-step progress. */
  progress: boolean;
  /** Longest job this provider allows, in seconds; undefined = no limit of its own. */
  maxJobSeconds?: number;
}

/** An input the provider ignored or an operation it cannot do, reported instead of throwing. */
export interface ProviderWarning {
  type: 'unsupported-option' | 'unsupported-operation' | 'other';
  message: string;
}
