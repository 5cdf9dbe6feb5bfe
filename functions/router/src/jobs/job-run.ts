import { DurableObject } from 'cloudflare:workers';
import { PoolError, ProviderError } from '@stipple/adapters';
import type { Env } from '../env.ts';
import { providerHealth } from '../providers/provider-health.ts';
import { announceJobChange, jobWebhookEvents } from '../webhooks/job-webhooks.ts';
import { type JobRecord, type JobStatus, TERMINAL_STATUSES } from './job-record.ts';
import { createJobServices, type JobServices } from './job-services.ts';

const POLL_INTERVAL_MS = 250;
/** Placement retries while every provider is busy or unreachable: the first delay, doubling up to the most. */
const PLACEMENT_RETRY_FIRST_MS = 1_000;
const PLACEMENT_RETRY_MAX_MS = 15_000;
/** When a webhook announcement not yet handed to the outbox is tried again (the object stopped in between). */
const ANNOUNCEMENT_RETRY_MS = 5_000;

/** When the job must have started by: its `start_timeout_seconds`, else its total deadline. */
function startDeadline(record: JobRecord): number {
  return Date.parse(record.startDeadline ?? record.job.deadline ?? '') || Number.POSITIVE_INFINITY;
}

/** Reads a job through its Durable Object (the RPC stub's inferred type loses `JobRecord`'s shape). */
export async function readJob(env: Env, jobId: string): Promise<JobRecord | undefined> {
  return (await env.JOB_RUNS.get(env.JOB_RUNS.idFromName(jobId)).get()) as JobRecord | undefined;
}

/**
 * One job's life at the edge, in its own Durable Object: it stores the job, submits it to the provider pool from an
 * alarm (alarms are retried if the object is evicted, and the http provider holds the worker's event stream for the
 * job's life), follows its progress, and settles its credits: captured when the result manifest exists, released
 * otherwise. A job that has a provider handle is never submitted again, only followed.
 */
export class JobRun extends DurableObject<Env> {
  private services: JobServices | undefined;

  /** Stores a new job and starts it; a second call for the same job changes nothing. */
  async start(record: JobRecord): Promise<void> {
    if (await this.ctx.storage.get('record')) return;
    await this.ctx.storage.put('record', record);
    await this.ctx.storage.setAlarm(Date.now());
  }

  get(): Promise<JobRecord | undefined> {
    return this.ctx.storage.get<JobRecord>('record');
  }

  /**
   * Stops the job: one not yet handed to a provider ends `canceled` at once; one running is asked to stop (the worker
   * does within a denoising step) and ends `canceled` when its provider says so. Credits are released either way. A
   * job already ended is left as it is.
   */
  async cancel(): Promise<JobRecord | undefined> {
    const record = await this.get();
    if (!record || TERMINAL_STATUSES.includes(record.status)) return record;
    if (!record.handle) {
      await this.settle(record, 'canceled');
    } else {
      this.services ??= createJobServices(this.env);
      await this.services.pool.cancel(record.handle);
    }
    return this.get();
  }

  override async alarm(): Promise<void> {
    await this.announcePending();
    let record = await this.get();
    if (!record || TERMINAL_STATUSES.includes(record.status)) return;
    try {
      this.services ??= createJobServices(this.env);
    } catch (error) {
      // The operator's PROVIDERS is invalid: fail the job (credits back) rather than let its alarm retry in vain.
      const message = `this deployment's GPU providers are misconfigured (${(error as Error).message})`;
      console.error(JSON.stringify({ level: 'error', event: 'providers_misconfigured', jobId: record.id, message }));
      return this.settle(record, 'failed', { code: 'providers_misconfigured', message });
    }
    const { pool } = this.services;
    const startBy = startDeadline(record);
    if (!record.handle) {
      const queued = record;
      if (Date.now() >= startBy) return this.abort(record);
      try {
        // No abort signal at the start deadline: aborting a submission drops the worker's connection, which leaves
        // the job's fate unknown. The pool's own retries are short; the deadline is checked as soon as they end.
        // Skip providers the shared check found down (a stale or missing check changes nothing).
        const health = await providerHealth(this.env)
          .current()
          .catch(() => undefined);
        if (health) pool.applyHealth(health.providers);
        const submission = await pool.submit(record.job);
        // Cancelled while the pool was placing it: stop it there too, and keep the cancellation.
        if (TERMINAL_STATUSES.includes((await this.get())?.status ?? 'queued')) {
          await pool.cancel(submission.handle);
          return;
        }
        const status = submission.state === 'queued' ? 'queued' : 'running';
        record = { ...record, handle: submission.handle, status, placementAttempts: undefined };
        if (status === 'running') record.startedAt = new Date().toISOString();
        await this.commit(queued, record);
      } catch (error) {
        if (Date.now() >= startBy) return this.abort(record);
        // Every provider busy or out of reach: the job waits for one, as in a queue, until its start deadline.
        if (error instanceof PoolError && error.isRetryable) return this.placeLater(record, error);
        // Anything else (no provider serves the model, the job was refused): no provider started it.
        const code = error instanceof PoolError || error instanceof ProviderError ? error.code : 'internal_error';
        return this.settle(record, 'failed', { code, message: (error as Error).message });
      }
    }
    const deadline = Date.parse(record.job.deadline ?? '') || Number.POSITIVE_INFINITY;
    for (;;) {
      const status = await pool.status(record.handle!);
      if (status.state === 'succeeded') {
        const manifest = await pool.result(record.handle!);
        if (manifest) return this.settle({ ...record, manifest }, 'succeeded');
      }
      if (status.state === 'failed') {
        const failure = status.failure ?? { code: 'provider_failed', message: 'the job failed' };
        if (failure.code === 'aborted') return this.settle(record, 'canceled');
        const timedOut = failure.code === 'deadline_exceeded';
        return this.settle(record, timedOut ? 'timed_out' : 'failed', failure);
      }
      if (status.state === 'cancelled') return this.settle(record, 'canceled');
      if (status.state === 'queued' && !record.startedAt && Date.now() >= startBy) {
        await this.abort(record);
        // Best effort: the provider may still start it, but its credits are back and its outputs unreported.
        await pool.cancel(record.handle!).catch(() => undefined);
        return;
      }
      if (Date.now() > deadline) {
        return this.settle(record, 'timed_out', { code: 'deadline_exceeded', message: 'the job passed its deadline' });
      }
      const next: JobRecord = {
        ...record,
        status: status.state === 'queued' ? 'queued' : 'running',
        ...(status.state !== 'queued' && !record.startedAt && { startedAt: new Date().toISOString() }),
        progress: status.progress && {
          step: status.progress.step,
          totalSteps: status.progress.totalSteps,
          etaMs: status.progress.etaMs,
        },
      };
      const preview = status.progress?.preview;
      if (preview && preview.images.join() !== record.preview?.images.join()) {
        next.preview = { step: status.progress!.step, ...preview };
      }
      if (JSON.stringify(next) !== JSON.stringify(record)) {
        await this.commit(record, next);
      }
      record = next;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  /**
   * Stores the record's change and, in the same transaction, the webhook events it makes (with an alarm to deliver
   * them should this object stop before it has); then hands them to the tenant's outbox. So an event is never lost
   * between the write and the outbox, and never runs ahead of the state it reports (the outbox drops a repeat).
   */
  private async commit(before: JobRecord, after: JobRecord): Promise<void> {
    if (!after.webhook || jobWebhookEvents(before, after).length === 0) {
      await this.ctx.storage.put('record', after);
      return;
    }
    await Promise.all([
      this.ctx.storage.put({ record: after, announcement: { before, after } }),
      this.ctx.storage.setAlarm(Date.now() + ANNOUNCEMENT_RETRY_MS),
    ]);
    await this.announcePending();
  }

  /** Delivers a stored announcement to the outbox, then forgets it. */
  private async announcePending(): Promise<void> {
    const pending = await this.ctx.storage.get<{ before: JobRecord; after: JobRecord }>('announcement');
    if (!pending) return;
    await announceJobChange(this.env, pending.before, pending.after);
    await this.ctx.storage.delete('announcement');
  }

  /** Ends a job that never started in time (`start_timeout_seconds`, or its total deadline passed while waiting). */
  private abort(record: JobRecord): Promise<void> {
    const seconds = (startDeadline(record) - Date.parse(record.createdAt)) / 1000;
    const limit = record.startDeadline ? 'start_timeout_seconds' : 'timeout_seconds';
    const message = `no GPU started the job within ${seconds} s (${limit}); nothing was charged`;
    return this.settle(record, 'aborted', { code: 'start_deadline_exceeded', message });
  }

  /** Tries placing the job again after a back-off (1, 2, 4 … at most 15 s), staying `queued` meanwhile. */
  private async placeLater(record: JobRecord, error: PoolError): Promise<void> {
    const attempts = (record.placementAttempts ?? 0) + 1;
    const delayMs = Math.min(PLACEMENT_RETRY_MAX_MS, PLACEMENT_RETRY_FIRST_MS * 2 ** (attempts - 1));
    const retryAt = Math.min(Date.now() + delayMs, startDeadline(record));
    await this.ctx.storage.put('record', { ...record, placementAttempts: attempts });
    await this.ctx.storage.setAlarm(retryAt);
    const log = { level: 'warn', msg: 'job_waiting_for_provider', jobId: record.id, tenantId: record.tenantId };
    console.warn(JSON.stringify({ ...log, attempts, code: error.code, retryAt: new Date(retryAt).toISOString() }));
  }

  /** The job's end: credits first (idempotent, so a retried alarm settles once), then the durable terminal record. */
  private async settle(record: JobRecord, status: JobStatus, error?: { code: string; message: string }): Promise<void> {
    const account = this.env.TENANT_ACCOUNTS.get(this.env.TENANT_ACCOUNTS.idFromName(record.tenantId));
    if (status === 'succeeded') await account.capture(record.id);
    else await account.release(record.id);
    const usage = status === 'succeeded' ? record.usage : { ...record.usage, credits: 0 };
    // A job may end while a cancel or a poll is under way: the first terminal state stands.
    const latest = await this.get();
    if (latest && TERMINAL_STATUSES.includes(latest.status)) return;
    // A finished job shows every step done (a short one may end between two polls, before any progress was seen).
    const { steps } = record.job.parameters;
    const progress = status === 'succeeded' && steps ? { step: steps, totalSteps: steps, etaMs: 0 } : undefined;
    const done: JobRecord = { ...record, status, usage, completedAt: new Date().toISOString(), progress };
    if (error) done.error = { code: error.code, message: error.message };
    await this.commit(record, done);
  }
}
