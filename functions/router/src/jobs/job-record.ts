import type { ProviderJobHandle } from '@stipple/adapters';
import type { Job, ResultManifest } from '@stipple/jobs';
import type { Usage } from '../billing/price-table.ts';
import type { JobWebhook } from '../webhooks/job-webhooks.ts';

/** The public states of a job (Replicate's and OpenAI's vocabulary). */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'aborted' | 'timed_out';

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'canceled', 'aborted', 'timed_out'];

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
  /** When a provider began running it (not when it was handed over: a provider may queue it first). */
  startedAt?: string;
  completedAt?: string;
  /** Where the provider holds the job, once submitted. */
  handle?: ProviderJobHandle;
  progress?: { step: number; totalSteps: number; etaMs: number };
  /** The latest low-resolution preview, when the job asked for them. */
  preview?: { step: number; width: number; height: number; images: string[] };
  manifest?: ResultManifest;
  error?: { code: string; message: string };
}
