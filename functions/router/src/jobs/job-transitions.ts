import type { JobStatus as ProviderJobStatus } from '@stipple/adapters';
import { JOB_CANCELED, type JobEvent, type ResultManifest, WORKER_SHUTTING_DOWN } from '@stipple/jobs';
import { PROGRESS_WEBHOOK_INTERVAL_MS } from '../webhooks/job-webhook-events.ts';
import type { JobRecord, JobStatus } from './job-record.ts';

/** What a piece of news about a job does to it; `JobRun` carries it out. */
export type JobTransition =
  /** Store the changed record. */
  | { kind: 'update'; record: JobRecord }
  /** End the job (credits captured on success, released otherwise). */
  | { kind: 'settle'; status: JobStatus; error?: { code: string; message: string }; manifest?: ResultManifest }
  /** The provider says it succeeded: fetch its manifest, then settle. */
  | { kind: 'fetch-result' }
  /** The GPU holding it vanished or handed it back unfinished: place it again. */
  | { kind: 'place-again'; reason: string };

const iso = (ms: number) => new Date(ms).toISOString();

/** How a failure the worker reported ends the job: a cancellation, a deadline, a hand-back, or a failure. */
function failure(code: string, message: string, retryable: boolean): JobTransition {
  if (code === JOB_CANCELED) return { kind: 'settle', status: 'canceled' };
  if (code === 'deadline_exceeded') return { kind: 'settle', status: 'timed_out', error: { code, message } };
  if (retryable || code === WORKER_SHUTTING_DOWN) return { kind: 'place-again', reason: `${code}: ${message}` };
  return { kind: 'settle', status: 'failed', error: { code, message } };
}

/** A GPU began the job: it is `running` from now (`startedAt` keeps the first start of a job placed again). */
function began(record: JobRecord, now: number): JobRecord {
  return { ...record, status: 'running', startedAt: record.startedAt ?? iso(now), placeBy: undefined };
}

/** What an event the worker pushed (`@stipple/jobs` `jobEventSchema`) does to the job. */
export function applyJobEvent(record: JobRecord, event: JobEvent, now: number): JobTransition {
  const heard = { ...record, lastHeardAt: iso(now), quietChecks: 0 };
  switch (event.status) {
    case 'started':
      return { kind: 'update', record: began(heard, now) };
    case 'running': {
      const { step, totalSteps, etaMs, preview } = event;
      const next = began(heard, now);
      next.progress = {
        step,
        totalSteps,
        etaMs,
        ...(event.emittedAt !== undefined && { reportedAt: event.emittedAt }),
      };
      if (preview) next.preview = { step, ...preview };
      if (now - (record.progressAnnouncedAt ?? 0) >= PROGRESS_WEBHOOK_INTERVAL_MS) next.progressAnnouncedAt = now;
      return { kind: 'update', record: next };
    }
    case 'succeeded':
      return { kind: 'settle', status: 'succeeded', manifest: event.manifest };
    case 'failed':
      return failure(event.code, event.message, event.retryable);
  }
}

/** What the provider's answer to "where does this job stand?" does to it (asked only when no event came). */
export function applyProviderStatus(record: JobRecord, status: ProviderJobStatus, now: number): JobTransition {
  switch (status.state) {
    case 'queued':
    case 'running': {
      const next = { ...record, lastHeardAt: iso(now), quietChecks: (record.quietChecks ?? 0) + 1 };
      return { kind: 'update', record: status.state === 'running' ? began(next, now) : next };
    }
    case 'succeeded':
      return { kind: 'fetch-result' };
    case 'failed': {
      const { code, message, isRetryable } = status.failure ?? {
        code: 'provider_failed',
        message: 'the job failed',
        isRetryable: false,
      };
      return failure(code, message, isRetryable && code === WORKER_SHUTTING_DOWN);
    }
    case 'canceled':
      return { kind: 'settle', status: 'canceled' };
    case 'unknown':
      return {
        kind: 'place-again',
        reason: `provider ${record.handle?.providerId} no longer holds the job and it left no result`,
      };
  }
}
