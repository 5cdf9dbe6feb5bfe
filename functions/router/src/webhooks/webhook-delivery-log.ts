import type { JobWebhookEvent } from './job-webhook-events.ts';

/** A message in the outbox, as the deliveries log (`GET /v1/webhooks/deliveries`) shows it. */
export interface WebhookDelivery {
  /** Its place in the outbox, newest highest: what a page cursor names. */
  seq: number;
  /** The `webhook-id`, the same on every attempt. */
  id: string;
  jobId: string;
  event: JobWebhookEvent;
  /** The receiver's host (and port): never its path or query, where receivers put tokens. */
  urlHost: string | null;
  state: 'pending' | 'delivered' | 'abandoned';
  attempts: number;
  /** The HTTP status of the latest attempt; null before the first, or when the latest got no answer. */
  lastStatus: number | null;
  /** Why the latest failed attempt failed (kept after a later success); null when none has. */
  lastError: string | null;
  /** When the next attempt is due (ISO 8601); null once delivered or abandoned. */
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** Which deliveries to list: the newest `limit` older than `beforeSeq`, of one job if `jobId` is given. */
export interface DeliveryQuery {
  jobId?: string;
  limit: number;
  beforeSeq?: number;
}

type DeliveryRow = {
  seq: number;
  message_id: string;
  job_id: string;
  event: JobWebhookEvent;
  url: string;
  occurred_at: string;
  attempts: number;
  next_attempt_at_ms: number;
  state: WebhookDelivery['state'];
  last_status: number | null;
  last_error: string | null;
  settled_at_ms: number | null;
};

export function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A page of the outbox's `messages` table, newest first. */
export function listDeliveries(
  sql: SqlStorage,
  query: DeliveryQuery,
): { deliveries: WebhookDelivery[]; hasMore: boolean } {
  const byJob = query.jobId === undefined ? [] : [query.jobId];
  const rows = sql
    .exec<DeliveryRow>(
      `SELECT seq, message_id, job_id, event, url, occurred_at, attempts, next_attempt_at_ms, state, last_status,
       last_error, settled_at_ms FROM messages WHERE seq < ? ${byJob.length > 0 ? 'AND job_id = ?' : ''}
       ORDER BY seq DESC LIMIT ?`,
      query.beforeSeq ?? Number.MAX_SAFE_INTEGER,
      ...byJob,
      query.limit + 1,
    )
    .toArray();
  const deliveries = rows.slice(0, query.limit).map(
    (row): WebhookDelivery => ({
      seq: row.seq,
      id: row.message_id,
      jobId: row.job_id,
      event: row.event,
      urlHost: hostOf(row.url),
      state: row.state,
      attempts: row.attempts,
      lastStatus: row.last_status,
      lastError: row.last_error,
      nextAttemptAt: row.state === 'pending' ? isoOrNull(row.next_attempt_at_ms) : null,
      createdAt: row.occurred_at,
      deliveredAt: row.state === 'delivered' ? isoOrNull(row.settled_at_ms) : null,
    }),
  );
  return { deliveries, hasMore: rows.length > query.limit };
}
