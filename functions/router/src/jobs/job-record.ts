import type { ProviderJobHandle } from '@stipple/adapters';
import type { Job, ResultManifest } from '@stipple/jobs';
import type { Usage } from '../billing/price-table.ts';
import type { PromptFilter } from '../safety/prompt-filter.ts';
import type { JobWebhook } from '../webhooks/job-webhooks.ts';
import type { JobStatus } from './job-status.ts';
import type { JobPreviewEventData } from './public-job-types.ts';

export { type JobStatus, TERMINAL_STATUSES } from './job-status.ts';

/** Everything the router keeps about one job, in its `JobRun` Durable Object. */
export interface JobRecord {
  id: string;
  tenantId: string;
  /** The job as the worker receives it. */
  job: Job;
  status: JobStatus;
  usage: Usage;
  urlTtlSeconds: number;
  /** The end user a client token was bound to, for the tenant's own accounting. */
  endUser?: string;
  /** The client token that made the job, if one did. */
  clientTokenId?: string;
  createdAt: string;
  /** Where to announce the job's events, and which (`POST /v1/jobs` `webhook`, `webhook_events_filter`). */
  webhook?: JobWebhook;
  /** The job must start by then (`start_timeout_seconds`) or end `aborted`; absent: its total deadline applies. */
  startDeadline?: string;
  /** Placements tried while every provider was busy or unreachable (the job waits `queued` between them). */
  placementAttempts?: number;
  /** Bumped on every stored change: waiters (`Prefer: wait`, `/events`) wake when it moves. */
  revision?: number;
  /** When a GPU last told us something about the job (an event, or an answer to our question). */
  lastHeardAt?: string;
  /** Questions in a row that found the job unchanged with no event between; spaces the next question out. */
  quietChecks?: number;
  /** Times the job was placed again because the GPU holding it vanished or handed it back. */
  replacements?: number;
  /** When a job placed again must have been taken by a GPU, or it ends `failed` (`worker_lost`). */
  placeBy?: string;
  /** A terminal state being settled (credits moved, record not yet written): resumed by the alarm after a restart. */
  settling?: { status: JobStatus; error?: JobError; completedAt?: string };
  /** When a provider began running it (not when it was handed over: a provider may queue it first). */
  startedAt?: string;
  completedAt?: string;
  /** Where the provider holds the job, once submitted. */
  handle?: ProviderJobHandle;
  /** The latest step reported; `reportedAt`: when the GPU reported it (ms since the epoch). */
  progress?: { step: number; totalSteps: number; etaMs: number; reportedAt?: number };
  /** When a `progress` webhook last fell due, ms since the epoch (at most one per `PROGRESS_WEBHOOK_INTERVAL_MS`). */
  progressAnnouncedAt?: number;
  /** The latest low-resolution preview, when the job asked for them. */
  preview?: JobPreviewEventData;
  manifest?: ResultManifest;
  /** The prompt's moderation result (docs/SAFETY.md); absent on jobs made before issue 19: not checked. */
  promptFilter?: PromptFilter;
  error?: JobError;
}

/**
 * Why a job ended badly. `shown`: the router wrote the message from the request's own values (a deadline, a limit),
 * so the API shows it as it is; any other message may carry a provider's or the store's internals and is replaced by
 * the code's own (errors/public-job-error.ts).
 */
export interface JobError {
  code: string;
  message: string;
  shown?: true;
}
