import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import type { JobRecord } from '../jobs/job-record.ts';
import { createStorage } from '../jobs/job-services.ts';
import { jobView } from '../jobs/job-view.ts';
import type { JobWebhookEvent } from './job-webhook-events.ts';
import { type DeliveryQuery, hostOf, listDeliveries, type WebhookDelivery } from './webhook-delivery-log.ts';
import { nextAttemptAt, readRetryDelays } from './webhook-retry-schedule.ts';
import { type WebhookSecretState, WebhookSecretStore } from './webhook-secret-store.ts';
import { signWebhook } from './webhook-signature.ts';
import { checkWebhookUrl } from './webhook-url-guard.ts';
import { webhookUrlPolicy } from './webhook-url-policy.ts';

/** How long one delivery attempt may take before it counts as failed. */
export const WEBHOOK_ATTEMPT_TIMEOUT_MS = 10_000;
/** Delivered and abandoned messages are kept this long, for inspection and to keep enqueueing idempotent. */
const SETTLED_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** Messages attempted at once (each of a different job), and batches per alarm before it yields to a new one. */
const BATCH_SIZE = 10;
const MAX_BATCHES_PER_ALARM = 50;

/** One event to deliver: what happened to which job (its record as of the event), and where to. */
export interface OutboxEntry {
  event: JobWebhookEvent;
  url: string;
  record: JobRecord;
}

type MessageRow = {
  seq: number;
  message_id: string;
  job_id: string;
  event: JobWebhookEvent;
  url: string;
  record: string;
  occurred_at: string;
  attempts: number;
  first_attempt_at_ms: number | null;
  state: WebhookDelivery['state'];
};

/** How one attempt ended: the receiver's HTTP status (null without an answer), and why it failed unless it did not. */
interface AttemptOutcome {
  status: number | null;
  failure?: string;
}

/** A message is its job's head when no older message of that job is still pending: a job's events go out in order. */
const IS_JOB_HEAD = `NOT EXISTS (SELECT 1 FROM messages AS older
  WHERE older.job_id = messages.job_id AND older.state = 'pending' AND older.seq < messages.seq)`;

/**
 * One tenant's webhook outbox: its `whsec_` signing secrets (webhook-secret-store.ts), and the messages its jobs'
 * webhooks are owed, delivered from alarms (which survive eviction) per the Standard Webhooks spec. Each job's messages
 * go out in order; a failed attempt (anything but 2xx, redirects included, or no answer within
 * `WEBHOOK_ATTEMPT_TIMEOUT_MS`) is retried on the backoff schedule until an attempt fails 24 hours after the first,
 * then abandoned and logged. Progress coalesces: a new progress event, or the job's completion, replaces a progress
 * message not yet delivered. Settled messages are kept 7 days, the deliveries log (webhook-delivery-log.ts) shows them.
 */
export class WebhookOutbox extends DurableObject<Env> {
  private readonly secrets: WebhookSecretStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { sql } = ctx.storage;
    this.secrets = new WebhookSecretStore(sql);
    sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE, job_id TEXT NOT NULL,
      event TEXT NOT NULL, url TEXT NOT NULL, record TEXT NOT NULL, occurred_at TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, first_attempt_at_ms INTEGER, next_attempt_at_ms INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'abandoned')), last_error TEXT,
      settled_at_ms INTEGER, last_status INTEGER)`);
    // Outboxes created before the deliveries log lack the column.
    const columns = sql.exec<{ name: string }>('PRAGMA table_info(messages)').toArray();
    if (!columns.some((column) => column.name === 'last_status')) {
      sql.exec('ALTER TABLE messages ADD COLUMN last_status INTEGER');
    }
    sql.exec('CREATE INDEX IF NOT EXISTS messages_by_job ON messages (job_id, state, seq)');
  }

  /** The tenant's signing secret (created on first use), and until when the one it replaced still signs. */
  secret(): WebhookSecretState {
    return this.secrets.state();
  }

  /**
   * Replaces the secret. Every attempt from now on, retries of older messages included, is signed with the new one,
   * and for `graceSeconds` with the replaced one too.
   */
  rotateSecret(graceSeconds: number): WebhookSecretState {
    return this.secrets.rotate(graceSeconds);
  }

  /**
   * Stores messages and wakes the alarm. Idempotent: a job's `started` and `completed` (and each progress step) have
   * fixed message ids, so announcing one twice stores it once.
   */
  async enqueue(entries: OutboxEntry[]): Promise<void> {
    const { sql } = this.ctx.storage;
    const now = Date.now();
    for (const { event, url, record } of entries) {
      if (event !== 'started') {
        // Only the latest progress matters, and completion makes it moot: it must not hold `completed` back.
        sql.exec("DELETE FROM messages WHERE job_id = ? AND event = 'progress' AND state = 'pending'", record.id);
      }
      const suffix = event === 'progress' ? `progress_${record.progress?.step ?? 0}` : event;
      sql.exec(
        `INSERT OR IGNORE INTO messages (message_id, job_id, event, url, record, occurred_at, next_attempt_at_ms, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`,
        `msg_${record.id.replace(/^job_/, '')}_${suffix}`,
        record.id,
        event,
        url,
        JSON.stringify(record),
        new Date(now).toISOString(),
        now,
      );
    }
    await this.ctx.storage.setAlarm(now);
  }

  /** The tenant's messages, newest first, for the deliveries log. */
  listDeliveries(query: DeliveryQuery): { deliveries: WebhookDelivery[]; hasMore: boolean } {
    return listDeliveries(this.ctx.storage.sql, query);
  }

  override async alarm(): Promise<void> {
    const { sql } = this.ctx.storage;
    for (let batch = 0; batch < MAX_BATCHES_PER_ALARM; batch++) {
      const due = sql
        .exec<MessageRow>(
          `SELECT * FROM messages WHERE state = 'pending' AND next_attempt_at_ms <= ? AND ${IS_JOB_HEAD}
           ORDER BY seq LIMIT ?`,
          Date.now(),
          BATCH_SIZE,
        )
        .toArray();
      if (due.length === 0) break;
      await Promise.all(due.map((row) => this.attempt(row)));
    }
    sql.exec("DELETE FROM messages WHERE state != 'pending' AND settled_at_ms < ?", Date.now() - SETTLED_RETENTION_MS);
    const { next } = sql
      .exec<{ next: number | null }>(
        `SELECT MIN(next_attempt_at_ms) AS next FROM messages WHERE state = 'pending' AND ${IS_JOB_HEAD}`,
      )
      .one();
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  /** One delivery attempt, and its outcome stored: delivered, retried later, or abandoned. */
  private async attempt(row: MessageRow): Promise<void> {
    const startedAt = Date.now();
    const { status, failure } = await this.deliver(row);
    const { sql } = this.ctx.storage;
    const attempts = row.attempts + 1;
    const firstAttemptAt = row.first_attempt_at_ms ?? startedAt;
    const now = Date.now();
    if (failure === undefined) {
      sql.exec(
        `UPDATE messages SET state = 'delivered', attempts = ?, first_attempt_at_ms = ?, settled_at_ms = ?,
         last_status = ? WHERE seq = ?`,
        attempts,
        firstAttemptAt,
        now,
        status,
        row.seq,
      );
      return;
    }
    const retryAt = nextAttemptAt(
      firstAttemptAt,
      attempts,
      now,
      readRetryDelays(this.env.WEBHOOK_RETRY_DELAYS_SECONDS),
    );
    const log = {
      event: retryAt === undefined ? 'webhook_abandoned' : 'webhook_attempt_failed',
      messageId: row.message_id,
      jobId: row.job_id,
      // The host only: receivers put tokens in their URLs' paths.
      host: hostOf(row.url),
      attempts,
      error: failure,
    };
    // A row deleted meanwhile (a progress message coalesced away) is simply not updated.
    sql.exec(
      `UPDATE messages SET attempts = ?, first_attempt_at_ms = ?, last_status = ?, last_error = ?,
       next_attempt_at_ms = ?, state = ?, settled_at_ms = ? WHERE seq = ?`,
      attempts,
      firstAttemptAt,
      status,
      failure,
      retryAt ?? now,
      retryAt === undefined ? 'abandoned' : 'pending',
      retryAt === undefined ? now : null,
      row.seq,
    );
    if (retryAt === undefined) console.error(JSON.stringify({ level: 'error', ...log }));
    else console.warn(JSON.stringify({ level: 'warn', ...log, retryAt: new Date(retryAt).toISOString() }));
  }

  /** Sends the message once; a failure unless the receiver answered 2xx. */
  private async deliver(row: MessageRow): Promise<AttemptOutcome> {
    // DNS answers change (rebinding): the URL passed the guard at submission, and must pass it again now.
    const check = await checkWebhookUrl(row.url, webhookUrlPolicy(this.env));
    if (!check.ok) return { status: null, failure: check.reason };
    const record = JSON.parse(row.record) as JobRecord;
    // The view is built per attempt, so a retry hours later still carries output URLs that work.
    const data = await jobView(record, createStorage(this.env));
    const body = JSON.stringify({ type: `job.${row.event}`, timestamp: row.occurred_at, data });
    const headers = await signWebhook(this.secrets.signingSecrets(), {
      id: row.message_id,
      timestamp: Math.floor(Date.now() / 1000),
      body,
    });
    try {
      const response = await fetch(check.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'Stipple-Webhooks/1' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(WEBHOOK_ATTEMPT_TIMEOUT_MS),
      });
      await response.body?.cancel();
      const { status } = response;
      if (status >= 200 && status < 300) return { status };
      const redirected = status >= 300 && status < 400 ? '; redirects are not followed' : '';
      return { status, failure: `the receiver answered ${status}${redirected}` };
    } catch (error) {
      return { status: null, failure: `the request failed: ${(error as Error).message}` };
    }
  }
}
