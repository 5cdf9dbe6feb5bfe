import { AbortError, ValidationError } from '@stipple/core';
import {
  parseJob,
  SIGNATURE_TOLERANCE_SECONDS,
  StorageError,
  verifyRequest,
  WORKER_SHUTTING_DOWN,
} from '@stipple/jobs';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { describeFailure, executeJob } from './execute-job.ts';
import type { GenerationBatcher } from './generation-batcher.ts';
import { JobBodyLedger } from './job-body-ledger.ts';
import type { JobSlots } from './job-slots.ts';
import { type ModelRegistry, UnknownModelError } from './model-registry.ts';
import { progressEvent } from './progress-event.ts';
import type { ResultStore } from './result-store.ts';
import type { RunningJobs } from './running-jobs.ts';
import { readSignedRequestBody } from './signed-request-body.ts';

export interface WorkerDependencies {
  registry: ModelRegistry;
  store: ResultStore;
  /** Shared secret of the HMAC request signature (see @stipple/jobs `verifyRequest`). */
  secret: string;
  /** The largest signed request body read, bytes (`MAX_REQUEST_BODY_BYTES`); larger ones get 413 unread. */
  maxRequestBodyBytes: number;
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

function statusFor(error: unknown): ContentfulStatusCode {
  if (error instanceof UnknownModelError) return 404;
  if (error instanceof ValidationError) return 400;
  if (error instanceof AbortError) {
    if (error.code === WORKER_SHUTTING_DOWN) return 503;
    return error.code === 'deadline_exceeded' ? 504 : 409;
  }
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

  const ledger = new JobBodyLedger();
  const now = deps.now ?? Date.now;

  /**
   * The body of a signed request, or the answer refusing it: headers checked before the body is read, the body capped
   * and hashed as it streams in (`readSignedRequestBody`), then the signature over method, path with query, and body.
   */
  async function signedBody(c: Context): Promise<{ text: string; sha256: string; signedAtMs: number } | Response> {
    const body = await readSignedRequestBody(c.req.raw, deps.maxRequestBodyBytes);
    // Refused unread: close the connection rather than drain whatever the caller still sends.
    if (!body.ok) return c.json(errorBody(body.code, body.message), body.status, { connection: 'close' });
    const url = new URL(c.req.url);
    const result = await verifyRequest({
      secret: deps.secret,
      method: c.req.method,
      path: `${url.pathname}${url.search}`,
      bodySha256: body.sha256,
      headers: c.req.raw.headers,
      now,
      validUntilSeconds: signedDeadlineSeconds(body.text),
    });
    if (!result.ok) {
      return c.json(
        errorBody('unauthorized', `request signature is ${result.reason}; sign it with the worker secret`),
        401,
      );
    }
    return { text: body.text, sha256: body.sha256, signedAtMs: Number(body.timestamp) * 1000 };
  }
  const log = deps.log ?? ((entry) => process.stdout.write(`${JSON.stringify(entry)}\n`));

  // Readiness: 200 once the preloaded models are in, 503 while they load (or if one failed to), so a platform's health
  // check sends no traffic to a worker that would make its first caller wait for a model load.
  app.get('/ping', (c) =>
    deps.registry.ready() ? c.json({ status: 'ok' }) : c.json({ status: 'loading', models: deps.registry.list() }, 503),
  );

  app.get('/v1/models', (c) => c.json({ models: deps.registry.list().map(({ id, state }) => ({ id, state })) }));

  app.post('/invocations', async (c) => {
    const signed = await signedBody(c);
    if (signed instanceof Response) return signed;
    let json: unknown;
    try {
      json = JSON.parse(signed.text);
    } catch {
      return c.json(errorBody('invalid_json', 'the request body is not JSON'), 400);
    }
    const parsed = parseJob(json);
    if (!parsed.ok) return c.json(errorBody('invalid_job', 'the job is not valid', parsed.errors), 400);
    const { job } = parsed;
    // Acceptable until the later of its deadline and the signature's tolerance: remembered that long.
    const signatureValidUntilMs = Math.max(
      job.deadline === undefined ? 0 : Date.parse(job.deadline),
      signed.signedAtMs + SIGNATURE_TOLERANCE_SECONDS * 1000,
    );
    if (!ledger.admit(job.jobId, signed.sha256, signatureValidUntilMs, now())) {
      return c.json(
        errorBody('job_id_conflict', `job ${job.jobId} came here before with another body; a job id names one job`),
        409,
      );
    }
    if (!jobs.accepting) {
      return c.json(errorBody('shutting_down', 'the worker is shutting down; send the job to another worker'), 503);
    }
    // A model not served here is refused before acceptance, so the caller can send the job elsewhere.
    const served = deps.registry.list().map((model) => model.id);
    if (!served.includes(job.modelId)) {
      const { code, message } = new UnknownModelError(job.modelId, served);
      return c.json(errorBody(code, message), 404);
    }
    // `Prefer: respond-async` (RFC 7240 §4.1): accept and answer 202 at once; the job reports to its callback.
    const detached = /(?:^|[,;\s])respond-async\b/.test(c.req.header('prefer') ?? '');
    const known = jobs.state(job.jobId);
    // Placement is idempotent by job id: the same job sent again while it is here is not run twice.
    if (detached && known) return c.json({ jobId: job.jobId, state: known }, 202);
    // With a slot free the job starts now, and a detached caller hears so in the 202 instead of a `started` callback.
    const startsNow = deps.slots.free;
    const slot = deps.slots.acquire();
    if (!slot) {
      const retryAfter = deps.slots.retryAfterSeconds();
      log({ level: 'warn', event: 'job_rejected_busy', jobId: job.jobId, retryAfter });
      c.header('Retry-After', String(retryAfter));
      return c.json(errorBody('busy', `the worker is at capacity; retry in ${retryAfter} s`), 429);
    }
    const execution = { ...deps, log };
    if (detached) {
      // Its outcome goes to the callback (and its log line); nobody awaits it here.
      executeJob(job, execution, { slot, startAnnounced: startsNow }).catch(() => undefined);
      return c.json({ jobId: job.jobId, state: startsNow ? 'running' : (jobs.state(job.jobId) ?? 'queued') }, 202);
    }
    const connection = c.req.raw.signal;
    // Asked for Server-Sent Events: one `progress` event per denoising step, then `result` (the manifest) or `error`.
    if (c.req.header('accept')?.includes('text/event-stream')) {
      return streamSSE(c, async (stream) => {
        try {
          const manifest = await executeJob(job, execution, {
            slot,
            connection,
            onProgress: (progress) => {
              void stream.writeSSE({ event: 'progress', data: JSON.stringify(progressEvent(progress)) });
            },
          });
          await stream.writeSSE({ event: 'result', data: JSON.stringify(manifest) });
        } catch (error) {
          const { code, message } = describeFailure(error);
          await stream.writeSSE({ event: 'error', data: JSON.stringify(errorBody(code, message)) });
        }
      });
    }
    try {
      return c.json(await executeJob(job, execution, { slot, connection }), 200);
    } catch (error) {
      const { code, message } = describeFailure(error);
      return c.json(errorBody(code, message), statusFor(error));
    }
  });

  // Where a job stands here (the router asks when it has heard nothing for a while): queued or running, else 404.
  app.get('/v1/jobs/:id', async (c) => {
    const signed = await signedBody(c);
    if (signed instanceof Response) return signed;
    const id = c.req.param('id');
    const state = jobs.state(id);
    if (state) return c.json({ jobId: id, state });
    // Ended lately: how (a restarted worker has forgotten; the manifest in the store is the lasting record).
    const ended = jobs.ended(id);
    if (ended) return c.json({ jobId: id, ...ended });
    return c.json(errorBody('job_not_running', `job ${id} is not running or queued here`), 404);
  });

  // Cancels a running or queued job within one denoising step; it ends with 409 `canceled` and writes no manifest.
  app.delete('/v1/jobs/:id', async (c) => {
    const signed = await signedBody(c);
    if (signed instanceof Response) return signed;
    const id = c.req.param('id');
    if (!jobs.cancel(id, new AbortError(`job ${id} was canceled`))) {
      return c.json(errorBody('job_not_running', `job ${id} is not running or queued here`), 404);
    }
    log({ level: 'info', event: 'job_cancel_requested', jobId: id });
    return c.json({ jobId: id, canceled: true }, 202);
  });

  return app;
}
