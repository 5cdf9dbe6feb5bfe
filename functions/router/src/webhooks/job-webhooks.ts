import { webhookOutbox } from '../durable-objects.ts';
import type { Env } from '../env.ts';
import { type JobRecord, TERMINAL_STATUSES } from '../jobs/job-record.ts';
import type { JobWebhookEvent } from './job-webhook-events.ts';

/** A job's webhook subscription, as `POST /v1/jobs` asked for it (`webhook`, `webhook_events_filter`). */
export interface JobWebhook {
  /** Checked by the SSRF guard at submission and again before every delivery attempt. */
  url: string;
  events: JobWebhookEvent[];
}

/**
 * The events a change of a job's record makes: `started` when it gains `startedAt` (a provider took it), `progress`
 * when a step's announcement falls due while it runs (`progressAnnouncedAt`, at most every 500 ms), `completed` when it first reaches a terminal state (and nothing else then).
 */
export function jobWebhookEvents(before: JobRecord, after: JobRecord): JobWebhookEvent[] {
  if (TERMINAL_STATUSES.includes(after.status)) return TERMINAL_STATUSES.includes(before.status) ? [] : ['completed'];
  const events: JobWebhookEvent[] = [];
  if (!before.startedAt && after.startedAt) events.push('started');
  if (after.progressAnnouncedAt !== undefined && after.progressAnnouncedAt !== before.progressAnnouncedAt) {
    events.push('progress');
  }
  return events;
}

/**
 * Hands the events of a job's change that its webhook subscribed to to the tenant's `WebhookOutbox`, which delivers
 * them. Called by `JobRun` after each durable write of the record, so no event runs ahead of the state it reports.
 */
export async function announceJobChange(env: Env, before: JobRecord, after: JobRecord): Promise<void> {
  const { webhook } = after;
  if (!webhook) return;
  const events = jobWebhookEvents(before, after).filter((event) => webhook.events.includes(event));
  if (events.length === 0) return;
  // The preview images are not part of the job view the payload carries.
  const { preview: _preview, ...record } = after;
  const outbox = webhookOutbox(env, after.tenantId);
  await outbox.enqueue(events.map((event) => ({ event, url: webhook.url, record })));
}
