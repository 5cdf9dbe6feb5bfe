import { AbortError, type GenerationProgress, StippleError } from '@stipple/core';
import { JOB_CANCELED, type Job, manifestKey, type ResultManifest, WORKER_SHUTTING_DOWN } from '@stipple/jobs';
import { armDeadline } from './deadline-timer.ts';
import type { GenerationBatcher } from './generation-batcher.ts';
import type { ModelRegistry } from './model-registry.ts';
import { createProgressReporter } from './progress-callback.ts';
import type { ResultStore } from './result-store.ts';
import { runJob } from './run-job.ts';
import type { JobEnding, RunningJobs } from './running-jobs.ts';

export interface ExecuteJobDependencies {
  registry: ModelRegistry;
  store: ResultStore;
  batcher: GenerationBatcher;
  jobs: RunningJobs;
  fetch?: typeof fetch;
  now?: () => number;
  log: (entry: Record<string, unknown>) => void;
  logPrompts?: boolean;
}

export interface ExecuteJobOptions {
  /** Resolves with the slot's release once the job may run (`JobSlots.acquire`). */
  slot: Promise<() => void>;
  /** The invocation's connection, when the job lives with it (a dropped connection cancels the job). */
  connection?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
  /** The worker's 202 already told the caller the job is `running`: no `started` event to its callback. */
  startAnnounced?: boolean;
}

/** A failure's stable code and message; anything that is not a `StippleError` is reported without its internals. */
export function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof StippleError) return { code: error.code, message: error.message };
  return { code: 'internal_error', message: 'the job failed unexpectedly' };
}

/**
 * One job's life in this worker: registered (for cancel, status and drain) from acceptance, its deadline armed, run
 * once it has a slot, and its events reported to the job's callback (`started`, each step, then the outcome). A
 * draining worker exits only after the final events are delivered.
 */
export async function executeJob(
  job: Job,
  deps: ExecuteJobDependencies,
  options: ExecuteJobOptions,
): Promise<ResultManifest> {
  const { jobs, log } = deps;
  const canceller = jobs.start(job.jobId);
  const signal = options.connection ? AbortSignal.any([canceller.signal, options.connection]) : canceller.signal;
  // A job still running at its deadline stops within one step, like a canceled one, and writes no manifest.
  const disarm = job.deadline
    ? armDeadline(
        Date.parse(job.deadline),
        () =>
          canceller.abort(new AbortError(`job ${job.jobId} passed its deadline ${job.deadline}`, 'deadline_exceeded')),
        deps.now,
      )
    : undefined;
  const reporter = createProgressReporter(job, log, deps.fetch);
  let release: (() => void) | undefined;
  let reported: Promise<void>;
  let ending: JobEnding;
  try {
    release = await options.slot;
    signal.throwIfAborted();
    jobs.markRunning(job.jobId);
    const { prompt, negativePrompt } = job.parameters;
    log({
      level: 'info',
      event: 'job_started',
      jobId: job.jobId,
      tenantId: job.tenantId,
      modelId: job.modelId,
      ...(deps.logPrompts && { prompt, negativePrompt }),
    });
    reporter.started(options.startAnnounced);
    const manifest = await runJob(job, {
      registry: deps.registry,
      store: deps.store,
      batcher: deps.batcher,
      signal,
      onProgress: (progress) => {
        reporter.progress(progress);
        options.onProgress?.(progress);
      },
    });
    const blocked = manifest.blocked?.length ?? 0;
    log({ level: 'info', event: 'job_succeeded', jobId: job.jobId, outputs: manifest.outputs.length, blocked });
    ending = { state: 'succeeded' };
    reported = reporter.finish({ status: 'succeeded', manifestKey: manifestKey(job), manifest });
    return manifest;
  } catch (error) {
    const failure = describeFailure(error);
    const message = (error as Error).message;
    // A cancel (the user's, or a sync caller who hung up) is the job ending as asked, not a fault of the worker.
    const canceled = failure.code === JOB_CANCELED;
    log({
      level: canceled ? 'info' : 'error',
      event: canceled ? 'job_canceled' : 'job_failed',
      jobId: job.jobId,
      code: failure.code,
      message,
    });
    ending = { state: 'failed', ...failure };
    reported = reporter.finish({ status: 'failed', ...failure, retryable: failure.code === WORKER_SHUTTING_DOWN });
    throw error;
  } finally {
    disarm?.();
    release?.();
    // The job leaves at once (so batching does not wait for it); its final event is delivered in the background,
    // neither holding up the response nor lost by a draining worker, which waits for it.
    jobs.finish(job.jobId, ending!);
    jobs.reporting(reported!);
  }
}
