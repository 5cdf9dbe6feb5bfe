import { AbortError, type GenerationProgress, StippleError, ValidationError } from '@stipple/core';
import { manifestKey, parseJob, type ResultManifest, verifyRequest } from '@stipple/jobs';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { GenerationBatcher } from './generation-batcher.ts';
import type { JobSlots } from './job-slots.ts';
import { type ModelRegistry, UnknownModelError } from './model-registry.ts';
import { createProgressReporter } from './progress-callback.ts';
import { progressEvent } from './progress-event.ts';
import type { ResultStore } from './result-store.ts';
import { runJob } from './run-job.ts';
import type { RunningJobs } from './running-jobs.ts';
import { StorageError } from './storage-error.ts';

export interface WorkerDependencies {
  registry: ModelRegistry;
  store: ResultStore;
  /** Shared secret of the HMAC request signature (see @stipple/jobs `verifyRequest`). */
  secret: string;
  /** Concurrency limit and queue; a full queue answers 429. */
  slots: JobSlots;
  /** Dynamic batching of compatible jobs into one denoising loop. */
  batcher: GenerationBatcher;
  /** The jobs in flight, for cancellation and draining. */
  jobs: RunningJobs;
  /** HTTP client for progress callbacks (a test may pass its own). */
  fetch?: typeof fetch;
  /** Clock in milliseconds, for the signature window. */
  now?: () => number;
  log?: (entry: Record<string, unknown>) => void;
  /** Put prompts in the `job_started` log line (`LOG_PROMPTS`); off by default, prompts are user data. */
  logPrompts?: boolean;
}

/** The error envelope every failure returns: a stable code, a message naming the problem, and field errors for 400s. */
function errorBody(code: string, message: string, fields?: unknown) {
  return { error: { code, message, ...(fields ? { fields } : {}) } };
}

function deadlineError(jobId: string, deadline: string): AbortError {
  return new AbortError(`job ${jobId} passed its deadline ${deadline}`, 'deadline_exceeded');
}

/**
 * A signed job stays acceptable until its own deadline, which sits inside the signed body: SageMaker asynchronous
 * inference may deliver it long after the router signed it. Unparseable bodies get the usual ±300 s.
 */
function signedDeadlineSeconds(body: string): number | undefined {
  try {
    const deadline = (JSON.parse(body) as { deadline?: unknown }).deadline;
    const at = typeof deadline === 'string' ? Date.parse(deadline) : Number.NaN;
    return Number.isNaN(at) ? undefined : at / 1000;
  } catch {
    return undefined;
  }
}

function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof StippleError) return { code: error.code, message: error.message };
  return { code: 'internal_error', message: 'the job failed unexpectedly' };
}

function statusFor(error: unknown): ContentfulStatusCode {
  if (error instanceof UnknownModelError) return 404;
  if (error instanceof ValidationError) return 400;
  if (error instanceof AbortError) return error.code === 'deadline_exceeded' ? 504 : 409;
  if (error instanceof StorageError) return error.isRetryable ? 503 : 502;
  return 500;
}

/**
 * The worker behind SageMaker's container contract (`GET /ping`, `POST /invocations`), which Cloud Run, RunPod and
 * Kubernetes serve just as well. Built from its dependencies so tests can drive it with `app.request()`.
 */
export function createWorkerApp(deps: WorkerDependencies): Hono {
  const app = new Hono();
  const { jobs } = deps;

  async function verified(c: Context, body: string): Promise<Response | undefined> {
    const result = await verifyRequest({
      secret: deps.secret,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      body,
      headers: c.req.raw.headers,
      now: deps.now,
      validUntilSeconds: signedDeadlineSeconds(body),
    });
    if (result.ok) return undefined;
    return c.json(
      errorBody('unauthorized', `request signature is ${result.reason}; sign it with the worker secret`),
      401,
    );
  }
  const log = deps.log ?? ((entry) => process.stdout.write(`${JSON.stringify(entry)}\n`));

  // Readiness: 200 once the preloaded models are in, 503 while they load (or if one failed to), so a platform's health
  // check sends no traffic to a worker that would make its first caller wait for a model load.
  app.get('/ping', (c) =>
    deps.registry.ready() ? c.json({ status: 'ok' }) : c.json({ status: 'loading', models: deps.registry.list() }, 503),
  );

  app.get('/v1/models', (c) => c.json({ models: deps.registry.list().map(({ id, state }) => ({ id, state })) }));

  app.post('/invocations', async (c) => {
    const body = await c.req.text();
    const refused = await verified(c, body);
    if (refused) return refused;
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return c.json(errorBody('invalid_json', 'the request body is not JSON'), 400);
    }
    const parsed = parseJob(json);
    if (!parsed.ok) return c.json(errorBody('invalid_job', 'the job is not valid', parsed.errors), 400);
    const { job } = parsed;
    if (!jobs.accepting) {
      return c.json(errorBody('shutting_down', 'the worker is shutting down; send the job to another worker'), 503);
    }
    const slot = deps.slots.acquire();
    if (!slot) {
      const retryAfter = deps.slots.retryAfterSeconds();
      log({ level: 'warn', event: 'job_rejected_busy', jobId: job.jobId, retryAfter });
      c.header('Retry-After', String(retryAfter));
      return c.json(errorBody('busy', `the worker is at capacity; retry in ${retryAfter} s`), 429);
    }
    const canceller = jobs.start(job.jobId);
    const signal = AbortSignal.any([canceller.signal, c.req.raw.signal]);
    // A job still running at its deadline stops within one step, like a cancelled one, and writes no manifest.
    const deadline = job.deadline
      ? setTimeout(
          () => canceller.abort(deadlineError(job.jobId, job.deadline!)),
          Math.max(0, Date.parse(job.deadline) - (deps.now ?? Date.now)()),
        )
      : undefined;
    const release = await slot;
    const { prompt, negativePrompt } = job.parameters;
    log({
      level: 'info',
      event: 'job_started',
      jobId: job.jobId,
      tenantId: job.tenantId,
      modelId: job.modelId,
      ...(deps.logPrompts && { prompt, negativePrompt }),
    });
    const reporter = createProgressReporter(job, log, deps.fetch);
    const run = async (onProgress?: (progress: GenerationProgress) => void): Promise<ResultManifest> => {
      try {
        const manifest = await runJob(job, {
          registry: deps.registry,
          store: deps.store,
          batcher: deps.batcher,
          signal,
          onProgress: (progress) => {
            reporter.progress(progress);
            onProgress?.(progress);
          },
        });
        log({ level: 'info', event: 'job_succeeded', jobId: job.jobId, outputs: manifest.outputs.length });
        // The response is the record of truth; the terminal callback follows it without holding it up.
        void reporter.finish({ status: 'succeeded', manifestKey: manifestKey(job) });
        return manifest;
      } catch (error) {
        const failure = describeFailure(error);
        const message = (error as Error).message;
        log({ level: 'error', event: 'job_failed', jobId: job.jobId, code: failure.code, message });
        void reporter.finish({ status: 'failed', ...failure });
        throw error;
      } finally {
        clearTimeout(deadline);
        jobs.finish(job.jobId);
        release();
      }
    };
    // Asked for Server-Sent Events: one `progress` event per denoising step, then `result` (the manifest) or `error`.
    if (c.req.header('accept')?.includes('text/event-stream')) {
      return streamSSE(c, async (stream) => {
        try {
          const manifest = await run((progress) => {
            void stream.writeSSE({ event: 'progress', data: JSON.stringify(progressEvent(progress)) });
          });
          await stream.writeSSE({ event: 'result', data: JSON.stringify(manifest) });
        } catch (error) {
          const { code, message } = describeFailure(error);
          await stream.writeSSE({ event: 'error', data: JSON.stringify(errorBody(code, message)) });
        }
      });
    }
    try {
      return c.json(await run(), 200);
    } catch (error) {
      const { code, message } = describeFailure(error);
      return c.json(errorBody(code, message), statusFor(error));
    }
  });

  // Cancels a running or queued job within one denoising step; it ends with 409 `aborted` and writes no manifest.
  app.delete('/v1/jobs/:id', async (c) => {
    const refused = await verified(c, await c.req.text());
    if (refused) return refused;
    const id = c.req.param('id');
    if (!jobs.cancel(id, new AbortError(`job ${id} was cancelled`))) {
      return c.json(errorBody('job_not_running', `job ${id} is not running or queued here`), 404);
    }
    log({ level: 'info', event: 'job_cancelled', jobId: id });
    return c.json({ jobId: id, cancelled: true }, 202);
  });

  return app;
}
