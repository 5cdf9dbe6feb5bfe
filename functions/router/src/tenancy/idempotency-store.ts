import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';

/** How long a record is kept, from its first request: Stripe's "at least 24 hours". */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
/**
 * How long a request may hold its key before a retry may take it over: well past the longest request we serve
 * (`Prefer: wait` up to 60 s), so only a request whose isolate died without a word loses it.
 */
export const IDEMPOTENCY_LEASE_MS = 5 * 60 * 1000;
/** Stored response bodies are split into BLOBs of this size; a SQLite row in a Durable Object holds at most 2 MB. */
const BODY_CHUNK_BYTES = 1024 * 1024;

/** A finished answer, kept to be replayed. */
export interface StoredResponse {
  status: number;
  /** The headers that describe the answer itself (`REPLAYED_HEADERS`), lowercase names. */
  headers: [string, string][];
  body: string;
}

/** What to do with a request that carries an `Idempotency-Key`. */
export type IdempotencyClaim =
  /**
   * The key is new (or free again): run the request, then `complete` or `abandon` with this lease. `boundTo` is what an
   * earlier attempt with the key created (`bind`) without keeping an answer: the run must use it, not make another.
   */
  | { outcome: 'started'; lease: string; boundTo?: string }
  /** The key was first used with another method, path or body. */
  | { outcome: 'mismatch' }
  /** The first request with this key is still running. */
  | { outcome: 'in_progress' }
  /** The first request finished: replay its answer. */
  | { outcome: 'completed'; response: StoredResponse };

type RequestRow = {
  fingerprint: string;
  created_at_ms: number;
  lease: string | null;
  leased_at_ms: number | null;
  status: number | null;
  headers: string | null;
  bound_to: string | null;
};

/**
 * One tenant's `Idempotency-Key` records (Stripe's semantics, `http/idempotency.ts`); the middleware prefixes each key
 * with the caller's scope, so keys are scoped to the caller within the tenant. Each method reads and writes with no `await` between, so the object's single thread makes claiming a key
 * atomic: of two concurrent requests with one key, exactly one runs. Only a fingerprint of the request is kept, never
 * its body. Records older than `IDEMPOTENCY_RETENTION_MS` are ignored on access and purged by an alarm.
 */
export class IdempotencyStore extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { sql } = ctx.storage;
    sql.exec(`CREATE TABLE IF NOT EXISTS requests (
      idempotency_key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, created_at_ms INTEGER NOT NULL,
      lease TEXT, leased_at_ms INTEGER, status INTEGER, headers TEXT)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS response_chunks (
      idempotency_key TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (idempotency_key, seq))`);
    sql.exec('CREATE INDEX IF NOT EXISTS requests_by_age ON requests (created_at_ms)');
    // Added after the table first shipped: stores made before have no such column yet.
    const columns = sql.exec<{ name: string }>('PRAGMA table_info(requests)').toArray();
    if (!columns.some((column) => column.name === 'bound_to'))
      sql.exec('ALTER TABLE requests ADD COLUMN bound_to TEXT');
  }

  /** Claims `key` for a request with this fingerprint, or says why not (and what to replay). */
  async claim(key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const now = Date.now();
    let row = this.row(key);
    if (row && row.created_at_ms <= now - IDEMPOTENCY_RETENTION_MS) {
      this.forget([key]);
      row = undefined;
    }
    // A different request is refused even while the first runs: retrying it cannot help, unlike the 409.
    if (row && row.fingerprint !== fingerprint) return { outcome: 'mismatch' };
    if (row?.status != null) return { outcome: 'completed', response: this.response(key, row) };
    if (row && (row.leased_at_ms ?? 0) > now - IDEMPOTENCY_LEASE_MS) return { outcome: 'in_progress' };
    const lease = crypto.randomUUID();
    this.ctx.storage.sql.exec(
      `INSERT INTO requests (idempotency_key, fingerprint, created_at_ms, lease, leased_at_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (idempotency_key) DO UPDATE SET created_at_ms = excluded.created_at_ms, lease = excluded.lease,
         leased_at_ms = excluded.leased_at_ms`,
      key,
      fingerprint,
      now,
      lease,
      now,
    );
    if ((await this.ctx.storage.getAlarm()) === null) await this.scheduleSweep();
    return { outcome: 'started', lease, ...(row?.bound_to != null && { boundTo: row.bound_to }) };
  }

  /**
   * Binds `key` to what its request just created (a job id), from that moment and whatever the answer: a retry after
   * a 5xx, a timeout or a crash gets it back with its claim instead of creating another. False when the lease was lost.
   */
  bind(key: string, lease: string, resource: string): boolean {
    if (this.row(key)?.lease !== lease) return false;
    this.ctx.storage.sql.exec('UPDATE requests SET bound_to = ? WHERE idempotency_key = ?', resource, key);
    return true;
  }

  /** Keeps the answer of the request holding `lease`; false when the lease was lost (the key was taken over). */
  complete(key: string, lease: string, response: StoredResponse): boolean {
    const { sql } = this.ctx.storage;
    if (this.row(key)?.lease !== lease) return false;
    const bytes = new TextEncoder().encode(response.body);
    this.ctx.storage.transactionSync(() => {
      sql.exec(
        'UPDATE requests SET lease = NULL, leased_at_ms = NULL, status = ?, headers = ? WHERE idempotency_key = ?',
        response.status,
        JSON.stringify(response.headers),
        key,
      );
      for (let start = 0, seq = 0; start < bytes.length; start += BODY_CHUNK_BYTES, seq++) {
        sql.exec(
          'INSERT INTO response_chunks (idempotency_key, seq, body) VALUES (?, ?, ?)',
          key,
          seq,
          bytes.slice(start, start + BODY_CHUNK_BYTES).buffer,
        );
      }
    });
    return true;
  }

  /**
   * Frees `key` after a request that kept no answer (a 5xx, a crash), so a retry runs afresh; a key bound to what it
   * created keeps that binding (and its fingerprint), so the retry runs with it.
   */
  abandon(key: string, lease: string): void {
    const { sql } = this.ctx.storage;
    sql.exec(
      'DELETE FROM requests WHERE idempotency_key = ? AND lease = ? AND status IS NULL AND bound_to IS NULL',
      key,
      lease,
    );
    sql.exec(
      'UPDATE requests SET lease = NULL, leased_at_ms = NULL WHERE idempotency_key = ? AND lease = ? AND status IS NULL',
      key,
      lease,
    );
  }

  /** Purges expired records, then wakes again when the oldest left expires. */
  override async alarm(): Promise<void> {
    const expired = this.ctx.storage.sql
      .exec<{ idempotency_key: string }>(
        'SELECT idempotency_key FROM requests WHERE created_at_ms <= ?',
        Date.now() - IDEMPOTENCY_RETENTION_MS,
      )
      .toArray()
      .map((row) => row.idempotency_key);
    this.forget(expired);
    await this.scheduleSweep();
  }

  private async scheduleSweep(): Promise<void> {
    const { oldest } = this.ctx.storage.sql
      .exec<{ oldest: number | null }>('SELECT MIN(created_at_ms) AS oldest FROM requests')
      .one();
    if (oldest !== null) await this.ctx.storage.setAlarm(oldest + IDEMPOTENCY_RETENTION_MS + 1);
  }

  private row(key: string): RequestRow | undefined {
    const [row] = this.ctx.storage.sql
      .exec<RequestRow>(
        `SELECT fingerprint, created_at_ms, lease, leased_at_ms, status, headers, bound_to FROM requests
         WHERE idempotency_key = ?`,
        key,
      )
      .toArray();
    return row;
  }

  private response(key: string, row: RequestRow): StoredResponse {
    const chunks = this.ctx.storage.sql
      .exec<{ body: ArrayBuffer }>('SELECT body FROM response_chunks WHERE idempotency_key = ? ORDER BY seq', key)
      .toArray()
      .map((chunk) => new Uint8Array(chunk.body));
    const bytes = new Uint8Array(chunks.reduce((length, chunk) => length + chunk.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return {
      status: row.status!,
      headers: JSON.parse(row.headers ?? '[]') as [string, string][],
      body: new TextDecoder().decode(bytes),
    };
  }

  private forget(keys: string[]): void {
    const { sql } = this.ctx.storage;
    this.ctx.storage.transactionSync(() => {
      for (const key of keys) {
        sql.exec('DELETE FROM response_chunks WHERE idempotency_key = ?', key);
        sql.exec('DELETE FROM requests WHERE idempotency_key = ?', key);
      }
    });
  }
}
