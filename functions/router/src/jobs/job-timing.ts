import type { JobRecord } from './job-record.ts';

/** With no event from the GPU for this long, the job's object asks the provider where the job stands. */
export const FIRST_CHECK_AFTER_MS = 5_000;
/** Questions that find nothing new are spaced out, doubling, up to this (SageMaker may queue for minutes). */
export const MAX_CHECK_INTERVAL_MS = 60_000;
/** A job placed again after its GPU vanished must be taken by a GPU within this, or it ends `failed`. */
export const REPLACEMENT_WINDOW_MS = 60_000;
/** A job placed again this many times ends `failed` (`worker_lost`) the next time its GPU vanishes. */
export const MAX_REPLACEMENTS = 3;
/** The worker stops a job at its deadline and says so; with no word this long after it, the job ends `timed_out`. */
export const DEADLINE_GRACE_MS = 5_000;

const at = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));
const orInfinity = (ms: number) => (Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms);

/** The job's total deadline (`timeout_seconds`), ms since the epoch. */
export function totalDeadline(record: JobRecord): number {
  return orInfinity(at(record.job.deadline));
}

/** When the job must have been taken by a GPU: placed again by `placeBy`, else `start_timeout_seconds`, else total. */
export function startDeadline(record: JobRecord): number {
  return orInfinity(at(record.placeBy ?? record.startDeadline ?? record.job.deadline));
}

/** When to ask the provider next if no event comes: the first question after 5 s of silence, then spaced out. */
export function nextCheckAt(record: JobRecord, now: number): number {
  const interval = Math.min(MAX_CHECK_INTERVAL_MS, FIRST_CHECK_AFTER_MS * 2 ** (record.quietChecks ?? 0));
  return orInfinity(at(record.lastHeardAt)) === Number.POSITIVE_INFINITY ? now : at(record.lastHeardAt) + interval;
}

/** A job no GPU has begun yet (or, placed again, not yet again): its start deadline applies. */
export function awaitingStart(record: JobRecord): boolean {
  return record.status === 'queued' && (!record.startedAt || record.placeBy !== undefined);
}

/** When the job's object must next look at a placed job: a question, its start deadline, or its total deadline. */
export function nextAlarmAt(record: JobRecord, now: number): number {
  const waitingToStart = awaitingStart(record);
  return Math.min(
    nextCheckAt(record, now),
    totalDeadline(record) + DEADLINE_GRACE_MS,
    waitingToStart ? startDeadline(record) : Number.POSITIVE_INFINITY,
  );
}
