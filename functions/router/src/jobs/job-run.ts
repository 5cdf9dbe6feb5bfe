import { DurableObject } from 'cloudflare:workers';
import { PoolError, ProviderError } from '@stipple/adapters';
import type { JobEvent } from '@stipple/jobs';
import type { Usage } from '../billing/price-table.ts';
import { jobRun, tenantAccount } from '../durable-objects.ts';
import type { Env } from '../env.ts';
import { currentProviderHealth } from '../providers/provider-health.ts';
import { announceJobChange, jobWebhookEvents } from '../webhooks/job-webhooks.ts';
import { jobOutcome } from './job-outcome.ts';
import { type JobError, type JobRecord, type JobStatus, TERMINAL_STATUSES } from './job-record.ts';
import { createJobServices, type JobServices } from './job-services.ts';
import {
  awaitingStart,
  DEADLINE_GRACE_MS,
  MAX_REPLACEMENTS,
  nextAlarmAt,
  nextCheckAt,
  REPLACEMENT_WINDOW_MS,
  startDeadline,
  totalDeadline,
} from './job-timing.ts';
import { applyJobEvent, applyProviderStatus, type JobTransition } from './job-transitions.ts';
import { providerCallOptions } from './provider-call-options.ts';

/** Placement retries while every provider is busy or unreachable: the first delay, doubling up to the most. */
const PLACEMENT_RETRY_FIRST_MS = 1_000;
const PLACEMENT_RETRY_MAX_MS = 15_000;
/** When the alarm places a new job whose placement, begun at once, was not stored (the object stopped meanwhile). */
const PLACEMENT_SAFETY_MS = 5_000;
/** When a webhook announcement not yet handed to the outbox is tried again (the object stopped in between). */
const ANNOUNCEMENT_RETRY_MS = 5_000;
/** How far before its due time an alarm already set may stay (`armAlarm`), ms. */
const ALARM_SLACK_MS = 1_000;
/** A settling job's alarm must fire within this to resume it should the object stop (`settle`), ms. */
const SETTLE_RESUME_MS = 5_000;
/** The longest one `waitForChange` call waits; callers wanting longer call again. */
const MAX_WAIT_MS = 60_000;

const isTerminal = (record: JobRecord | undefined) => record !== undefined && TERMINAL_STATUSES.includes(record.status);
const log = (level: 'info' | 'warn' | 'error', msg: string, record: JobRecord, facts: Record<string, unknown> = {}) =>
  console[level](JSON.stringify({ level, msg, jobId: record.id, tenantId: record.tenantId, ...facts }));

/** Reads a job through its Durable Object (the RPC stub's inferred type loses `JobRecord`'s shape). */
export async function readJob(env: Env, jobId: string): Promise<JobRecord | undefined> {
  return (await jobRun(env, jobId).get()) as JobRecord | undefined;
}

/**
 * One job's life at the edge, in its own Durable Object. Events flow forward: the GPU's worker reports each step and
 * the outcome to the job's callback route, which hands them to `report`; the record changes and everyone waiting
 * (`waitForChange`: `Prefer: wait`, `/events`, OpenAI's endpoint) wakes at once. The alarm places the job, and keeps
 * a slow safety check: with no event for a while it asks the provider, and a job whose GPU vanished is placed again
 * (placement is idempotent by job id) or ends `failed` within a bounded time. Credits are captured once the manifest
 * exists and released on every other end, exactly once.
 */
export class JobRun extends DurableObject<Env> {
  private services: JobServices | undefined;
  private readonly waiters = new Set<(record: JobRecord) => void>();
  private advancing: Promise<void> | undefined;

  /**
   * Stores a new job and starts placing it at once, in this object, without waiting for it; the alarm, armed first, is
   * the safety net that places it if the object stops before the placement is stored. A second call for the same job
   * changes nothing. `refused`: the tenant's account gave up on the job before it came (`holdOrRefuse`).
   */
  async start(record: JobRecord): Promise<'started' | 'refused'> {
    if (await this.get()) return 'started';
    // The account gave up on the job and released its credits (`holdOrRefuse`): it must not run on them.
    if (await this.ctx.storage.get('refused')) return 'refused';
    // The record and its alarm in one transaction, written without holding this object's output back: the placement
    // leaves at once, while the commit (a new object's first, its database created) is made. The answer waits for it
    // (`sync`). Should the commit fail, the job was placed unrecorded: the caller's retry places it again under the
    // same id (the worker answers the job it holds), or releases its credits; the worker's events then find no record.
    const unconfirmed = { allowUnconfirmed: true };
    await Promise.all([
      this.save({ ...record, revision: 1 }, undefined, unconfirmed),
      this.ctx.storage.setAlarm(Date.now() + PLACEMENT_SAFETY_MS, unconfirmed),
    ]);
    this.ctx.waitUntil(
      this.advance().catch((error) =>
        log('warn', 'job_placement_deferred', record, { message: (error as Error).message }),
      ),
    );
    await this.ctx.storage.sync();
    return 'started';
  }

  get(): Promise<JobRecord | undefined> {
    return this.ctx.storage.get<JobRecord>('record');
  }

  /**
   * Asked by the tenant's account about a reservation long made (`tenancy/orphaned-reservations.ts`): `held` when this
   * object has the job, else `refused`, and from then on `start` refuses it, so its released credits are never spent.
   */
  async holdOrRefuse(): Promise<'held' | 'refused'> {
    if (await this.get()) return 'held';
    await this.ctx.storage.put('refused', true);
    return 'refused';
  }

  /**
   * The record once its revision differs from `revision` (or, with `until: 'end'`, once the job has ended), or as it
   * stands after `timeoutMs`. `Prefer: wait` waits for the end, so the steps in between cost it no round trips.
   */
  async waitForChange(
    revision: number,
    timeoutMs: number,
    until: 'change' | 'end' = 'change',
  ): Promise<JobRecord | undefined> {
    const current = await this.get();
    if (!current || isTerminal(current) || timeoutMs <= 0) return current;
    if (until === 'change' && (current.revision ?? 0) !== revision) return current;
    await new Promise<void>((resolve) => {
      const wake = (record: JobRecord) => {
        if (until === 'end' && !isTerminal(record)) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(
        () => {
          this.waiters.delete(wake);
          resolve();
        },
        Math.min(timeoutMs, MAX_WAIT_MS),
      );
      this.waiters.add(wake);
    });
    return this.get();
  }

  /** An event the job's worker pushed; one for an ended job changes nothing. */
  async report(event: JobEvent): Promise<void> {
    const record = await this.get();
    if (!record || isTerminal(record) || record.settling) return;
    await this.carryOut(record, applyJobEvent(record, event, Date.now()));
  }

  /**
   * Stops the job at once: it ends `canceled` and its credits come back. The provider holding it is asked to stop it
   * (the worker does within a denoising step); if it cannot be reached, the job ends all the same.
   */
  async cancel(): Promise<JobRecord | undefined> {
    const record = await this.get();
    if (!record || isTerminal(record)) return record;
    if (record.handle) {
      try {
        this.services ??= createJobServices(this.env);
        const outcome = await this.services.pool.cancel(record.handle);
        if (!outcome.canceled) log('info', 'job_cancel_not_confirmed', record, { warnings: outcome.warnings });
      } catch (error) {
        log('warn', 'job_cancel_unreachable', record, { message: (error as Error).message });
      }
    }
    await this.settle('canceled');
    return this.get();
  }

  override async alarm(): Promise<void> {
    await this.advance();
  }

  /**
   * Moves the job on (places it, checks on it, finishes settling it), one run at a time: an alarm that fires while a
   * run is under way (the placement `start` began) waits for it, then works from what it stored.
   */
  private advance(): Promise<void> {
    const run = (this.advancing ?? Promise.resolve()).catch(() => undefined).then(() => this.advanceOnce());
    this.advancing = run;
    return run;
  }

  private async advanceOnce(): Promise<void> {
    await this.announcePending();
    const record = await this.get();
    if (!record || isTerminal(record)) return;
    if (record.settling) return this.finishSettling(record);
    try {
      this.services ??= createJobServices(this.env);
    } catch (error) {
      // The operator's PROVIDERS is invalid: fail the job (credits back) rather than let its alarm retry in vain.
      const message = `this deployment's GPU providers are misconfigured (${(error as Error).message})`;
      log('error', 'providers_misconfigured', record, { message });
      return this.settle('failed', { code: 'providers_misconfigured', message });
    }
    if (!record.handle) return this.place(record);
    return this.check(record);
  }

  /** Hands the job to the provider pool; while every provider is busy or unreachable it waits, up to its start deadline. */
  private async place(record: JobRecord): Promise<void> {
    const { pool } = this.services!;
    if (Date.now() >= startDeadline(record)) return this.notStarted(record);
    try {
      // Skip providers the shared check found down (a stale or missing check changes nothing).
      const health = await currentProviderHealth(this.env);
      if (health) pool.applyHealth(health.providers);
      const submission = await pool.submit(record.job, { providerOptions: providerCallOptions(record, Date.now()) });
      // Events may have arrived while the pool placed it (the worker reports `started` before we hear its 202).
      const latest = await this.get();
      if (!latest || isTerminal(latest) || latest.settling) {
        await pool.cancel(submission.handle).catch(() => undefined);
        return;
      }
      const now = Date.now();
      const placed: JobRecord = {
        ...latest,
        handle: submission.handle,
        placementAttempts: undefined,
        lastHeardAt: new Date(now).toISOString(),
        quietChecks: 0,
      };
      log('info', 'job_placed', placed, { providerId: submission.handle.providerId, state: submission.state });
      if (submission.state === 'succeeded') return this.carryOut(placed, { kind: 'fetch-result' });
      if (submission.state === 'running' && placed.status === 'queued') {
        Object.assign(placed, { status: 'running', startedAt: placed.startedAt ?? new Date(now).toISOString() });
      }
      await this.commit(latest, placed);
      await this.armAlarm(placed);
    } catch (error) {
      if (Date.now() >= startDeadline(record)) return this.notStarted(record);
      // Every provider busy or out of reach: the job waits for one, as in a queue, until its start deadline.
      if (error instanceof PoolError && error.isRetryable) return this.placeLater(record, error);
      // Anything else (no provider serves the model, the job was refused): no provider started it.
      const code = error instanceof PoolError || error instanceof ProviderError ? error.code : 'internal_error';
      return this.settle('failed', { code, message: (error as Error).message });
    }
  }

  /** The safety check: deadlines, and after a silence, a question to the provider. */
  private async check(record: JobRecord): Promise<void> {
    const { pool } = this.services!;
    const now = Date.now();
    if (now >= totalDeadline(record) + DEADLINE_GRACE_MS) {
      await pool.cancel(record.handle!).catch(() => undefined);
      return this.settle('timed_out', { code: 'deadline_exceeded', message: 'the job passed its deadline' });
    }
    if (awaitingStart(record) && now >= startDeadline(record)) {
      // Best effort: the provider may still start it, but its credits are back and its outputs unreported.
      await pool.cancel(record.handle!).catch(() => undefined);
      return this.notStarted(record);
    }
    if (now + ALARM_SLACK_MS < nextCheckAt(record, now)) return this.armAlarm(record);
    let transition: JobTransition;
    try {
      transition = applyProviderStatus(record, await pool.status(record.handle!), Date.now());
    } catch (error) {
      // The provider does not answer: its GPU is gone (killed, scaled in, cut off). Anything else (the store is
      // down while we look for the manifest) is asked again later, within the job's deadline.
      if (!(error instanceof ProviderError) || error.code !== 'provider_unreachable') {
        log('warn', 'job_check_failed', record, { message: (error as Error).message });
        const next = { ...record, quietChecks: (record.quietChecks ?? 0) + 1 };
        await this.save(next);
        return this.armAlarm(next);
      }
      transition = { kind: 'place-again', reason: (error as Error).message };
    }
    const latest = await this.get();
    if (!latest || isTerminal(latest) || latest.settling || latest.revision !== record.revision) {
      // An event came while we asked: it is newer news than the answer.
      return latest && !isTerminal(latest) ? this.armAlarm(latest) : undefined;
    }
    await this.carryOut(record, transition);
  }

  /** Carries out a transition decided from an event or a provider's answer. */
  private async carryOut(record: JobRecord, transition: JobTransition): Promise<void> {
    switch (transition.kind) {
      case 'update':
        await this.commit(record, transition.record);
        return;
      case 'settle':
        return this.settle(
          transition.status,
          transition.error,
          transition.manifest && { manifest: transition.manifest },
        );
      case 'fetch-result': {
        const manifest = await this.services!.pool.result(record.handle!).catch(() => undefined);
        // No manifest yet (or the store is down): asked again on the next check.
        if (!manifest) return this.armAlarm(record);
        return this.settle('succeeded', undefined, { manifest });
      }
      case 'place-again':
        return this.placeAgain(record, transition.reason);
    }
  }

  /**
   * The GPU holding the job vanished (or handed it back): the job goes back to `queued` and is placed again at once.
   * One that was running must find a GPU within 60 s, and after three such losses it ends `failed` (`worker_lost`),
   * credits back. One that never ran (its placement's outcome was unknown, or it waited in a queue that vanished) is
   * simply placed again, under its own start deadline.
   */
  private async placeAgain(record: JobRecord, reason: string): Promise<void> {
    const wasRunning = record.status === 'running';
    const replacements = (record.replacements ?? 0) + (wasRunning ? 1 : 0);
    if (replacements > MAX_REPLACEMENTS) {
      const message = `the job lost its GPU ${replacements} times (last: ${reason}); nothing was charged`;
      return this.settle('failed', { code: 'worker_lost', message });
    }
    log('warn', 'job_placed_again', record, { reason, wasRunning, replacements, from: record.handle?.providerId });
    const next: JobRecord = {
      ...record,
      status: 'queued',
      handle: undefined,
      progress: undefined,
      preview: undefined,
      placementAttempts: undefined,
      quietChecks: 0,
      replacements,
    };
    if (wasRunning) {
      next.placeBy = new Date(Math.min(Date.now() + REPLACEMENT_WINDOW_MS, totalDeadline(record))).toISOString();
    }
    await this.commit(record, next);
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** Ends a job no GPU took in time: `aborted` before its first start, `failed` (`worker_lost`) when placed again. */
  private notStarted(record: JobRecord): Promise<void> {
    if (record.replacements) {
      const seconds = REPLACEMENT_WINDOW_MS / 1000;
      const message = `the GPU running the job stopped answering and no GPU took it again within ${seconds} s; nothing was charged`;
      return this.settle('failed', { code: 'worker_lost', message, shown: true });
    }
    const seconds = (startDeadline(record) - Date.parse(record.createdAt)) / 1000;
    const limit = record.startDeadline ? 'start_timeout_seconds' : 'timeout_seconds';
    const message = `no GPU started the job within ${seconds} s (${limit}); nothing was charged`;
    return this.settle('aborted', { code: 'start_deadline_exceeded', message, shown: true });
  }

  /** Tries placing the job again after a back-off (1, 2, 4 … at most 15 s), staying `queued` meanwhile. */
  private async placeLater(record: JobRecord, error: PoolError): Promise<void> {
    const attempts = (record.placementAttempts ?? 0) + 1;
    const delayMs = Math.min(PLACEMENT_RETRY_MAX_MS, PLACEMENT_RETRY_FIRST_MS * 2 ** (attempts - 1));
    const retryAt = Math.min(Date.now() + delayMs, startDeadline(record));
    await this.save({ ...record, placementAttempts: attempts });
    await this.ctx.storage.setAlarm(retryAt);
    log('warn', 'job_waiting_for_provider', record, {
      attempts,
      code: error.code,
      retryAt: new Date(retryAt).toISOString(),
    });
  }

  /** Sets the alarm for the placed job's next look (a question, or a deadline). */
  private async armAlarm(record: JobRecord): Promise<void> {
    const due = Math.max(Date.now(), nextAlarmAt(record, Date.now()));
    // An alarm already set a little earlier stays (each change is a durable write): the check it runs looks early by
    // at most ALARM_SLACK_MS, which changes nothing. `start`'s safety alarm covers a placement's first check so.
    const current = await this.ctx.storage.getAlarm();
    if (current !== null && current <= due && current >= due - ALARM_SLACK_MS) return;
    await this.ctx.storage.setAlarm(due);
  }

  /**
   * The job's end, exactly once: the intent is stored first (with an alarm, so a restart resumes it; a concurrent end
   * sees it and steps aside), then the credits move (captured on success, released otherwise), then the terminal record.
   */
  private async settle(status: JobStatus, error?: JobError, patch: Partial<JobRecord> = {}): Promise<void> {
    const latest = await this.get();
    if (!latest || isTerminal(latest) || latest.settling) return;
    const completedAt = new Date().toISOString();
    const intent: JobRecord = { ...latest, ...patch, settling: { status, ...(error && { error }), completedAt } };
    // The alarm resumes the settling should this object stop: one already due soon (a placed job has one) will do.
    const alarm = await this.ctx.storage.getAlarm();
    const resumeBy = Date.now() + SETTLE_RESUME_MS;
    await Promise.all([
      this.ctx.storage.put('record', intent),
      alarm === null || alarm > resumeBy ? this.ctx.storage.setAlarm(Date.now() + 1_000) : undefined,
    ]);
    await this.finishSettling(intent);
  }

  private async finishSettling(intent: JobRecord): Promise<void> {
    const { settling, ...before } = intent;
    const { status, error, completedAt = new Date().toISOString() } = settling!;
    const account = tenantAccount(this.env, intent.tenantId);
    const outcome = jobOutcome(intent, status);
    // A succeeded job is charged for the images it stored (a blocked one is not); any other end, for nothing.
    let usage: Usage = { ...before.usage, credits: 0 };
    if (status === 'succeeded') usage = (await account.capture(intent.id, outcome)) ?? before.usage;
    else await account.release(intent.id, outcome);
    // A finished job shows every step done (a short one may end between two reports).
    const { steps } = before.job.parameters;
    const progress = status === 'succeeded' && steps ? { step: steps, totalSteps: steps, etaMs: 0 } : undefined;
    const done: JobRecord = { ...before, status, usage, completedAt, progress };
    if (status !== 'succeeded') done.preview = undefined;
    if (error) done.error = error;
    log('info', 'job_ended', done, { status, code: error?.code, message: error?.message });
    // The end is answered without waiting for this write: what it stores follows from the intent and the ledger, both
    // durable by now, and should it be lost the intent's alarm writes it again, the same.
    await this.commit(before, done, { allowUnconfirmed: true });
  }

  /**
   * Stores the record's change and, in the same transaction, the webhook events it makes (with an alarm to deliver
   * them should this object stop before it has); then hands them to the tenant's outbox. So an event is never lost
   * between the write and the outbox, and never runs ahead of the state it reports (the outbox drops a repeat).
   */
  private async commit(before: JobRecord, after: JobRecord, options?: DurableObjectPutOptions): Promise<void> {
    if (!after.webhook || jobWebhookEvents(before, after).length === 0) {
      // An ended job with no announcement to deliver needs its alarm no more: dropped in the same transaction.
      await Promise.all([
        this.save(after, undefined, options),
        isTerminal(after) ? this.ctx.storage.deleteAlarm(options) : undefined,
      ]);
      return;
    }
    const retryAt = Date.now() + ANNOUNCEMENT_RETRY_MS;
    const current = await this.ctx.storage.getAlarm();
    await Promise.all([
      this.save(after, { before, after }, options),
      this.ctx.storage.setAlarm(current === null ? retryAt : Math.min(current, retryAt), options),
    ]);
    await this.announcePending();
  }

  /** Writes the record (a new revision) and wakes everyone waiting on it. */
  private async save(
    record: JobRecord,
    announcement?: { before: JobRecord; after: JobRecord },
    options?: DurableObjectPutOptions,
  ): Promise<void> {
    const stored = await this.get();
    const next = { ...record, revision: (stored?.revision ?? 0) + 1 };
    if (announcement) {
      await this.ctx.storage.put({ record: next, announcement: { ...announcement, after: next } }, options);
    } else await this.ctx.storage.put('record', next, options);
    for (const wake of [...this.waiters]) wake(next);
  }

  /** Delivers a stored announcement to the outbox, then forgets it. */
  private async announcePending(): Promise<void> {
    const pending = await this.ctx.storage.get<{ before: JobRecord; after: JobRecord }>('announcement');
    if (!pending) return;
    await announceJobChange(this.env, pending.before, pending.after);
    await this.ctx.storage.delete('announcement');
  }
}
