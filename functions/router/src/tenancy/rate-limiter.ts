import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import {
  type BucketState,
  changeLimit,
  isRequestsPerMinute,
  parseRequestsPerMinute,
  takeTokens,
} from './token-bucket.ts';

/** The longest a bucket's count lives only in memory, ms: what a restart of the object can give back. */
export const WRITE_BEHIND_MS = 1_000;

/** What `lease` answers: tokens granted, and the bucket they leave, for the `x-ratelimit-*` headers. */
export type LeaseAnswer =
  | {
      /** Tokens granted, each one request; 0 when the bucket holds no whole token. */
      granted: number;
      /** The bucket's requests per minute, which is also its capacity. */
      limit: number;
      /** Tokens left in the bucket once these are taken (fractional while it refills). */
      tokens: number;
      /** Until the bucket holds a whole token again, ms; 0 when any was granted. */
      retryAfterMs: number;
    }
  | { revoked: true };

/**
 * One API key's request rate (or one end user's, for client tokens: `http/enforce-rate-limit.ts`), strongly
 * consistent: one Durable Object per key, so every token spent with the key, from any colo, comes from one place, and
 * each check-and-take runs with no `await` inside (atomic on the object's single thread). A token bucket rather than a
 * window: a sliding log keeps a timestamp per request (600 rows a key), the two-counter sliding window only estimates,
 * and a fixed window lets a client send twice the limit across its boundary. The bucket is two numbers, exact, refills
 * continuously, and maps onto OpenAI's headers as they are: the whole tokens left are `remaining`, the time until it is
 * full again is `reset`. It holds `limit` tokens (the burst a quiet key may send at once) and refills `limit` a minute.
 *
 * Isolates lease tokens (`lease`), several at a time for a busy key, and spend them for `LEASE_MS` at most
 * (`http/rate-limit-leases.ts`): a busy key's requests then visit the object about once per isolate and second rather
 * than each, and the limit holds, since no request is admitted without a token taken from here.
 *
 * The limit is the one `lease` is given (for a key, `RATE_LIMIT_REQUESTS_PER_MINUTE`, default 600) unless the bucket
 * has its own, set with `setLimit`.
 *
 * A key's bucket also knows when the key is revoked (`revoke`), and leases nothing from then on: a key the router's
 * isolates still hold in their cache (`auth/key-cache.ts`) stops once their leases end, within `LEASE_MS`.
 *
 * The count lives in the object's memory and is written behind, at most `WRITE_BEHIND_MS` after a lease (one write
 * for all the leases of that interval), so a request never waits for a storage commit: measured with `npm run load`,
 * writing each request's take tripled the router's cost of a request (docs/SCALE.md). The object is the only reader,
 * so its memory is the truth while it lives; should it restart before a write, the key gets back at most the tokens
 * of that last interval. Revocation and a key's own limit are written at once.
 */
export class RateLimiter extends DurableObject<Env> {
  private revoked: boolean;
  /** The bucket as of the last request; undefined until the first (a missing bucket is full). */
  private state: BucketState | undefined;
  private limitOverride: number | null;
  private writeScheduled: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS bucket (
      id INTEGER PRIMARY KEY CHECK (id = 1), tokens REAL NOT NULL, updated_at_ms INTEGER NOT NULL,
      limit_override INTEGER)`);
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS revoked (id INTEGER PRIMARY KEY CHECK (id = 1), at_ms INTEGER NOT NULL)',
    );
    this.revoked = ctx.storage.sql.exec('SELECT 1 FROM revoked').toArray().length > 0;
    const [row] = ctx.storage.sql
      .exec<{ tokens: number; updated_at_ms: number; limit_override: number | null }>(
        'SELECT tokens, updated_at_ms, limit_override FROM bucket WHERE id = 1',
      )
      .toArray();
    this.state = row && { tokens: row.tokens, updatedAtMs: row.updated_at_ms };
    this.limitOverride = row?.limit_override ?? null;
  }

  /**
   * Leases up to `want` tokens, one a request, to an isolate that spends them itself (`http/rate-limit-leases.ts`),
   * after putting back the `returned` tokens of its last lease that it never spent. Granted only while the bucket holds
   * them: a bucket without a whole token grants none and counts nothing. `defaultLimit`: the requests per minute unless
   * the bucket has its own (default `RATE_LIMIT_REQUESTS_PER_MINUTE`). A revoked key's bucket answers
   * `{ revoked: true }` and counts nothing.
   */
  lease(want: number, returned = 0, defaultLimit: number = this.deploymentLimit()): LeaseAnswer {
    if (!Number.isSafeInteger(want) || want < 1 || !Number.isSafeInteger(returned) || returned < 0) {
      throw new RangeError(`lease of ${want} tokens returning ${returned} is not allowed; use whole numbers, want ≥ 1`);
    }
    if (this.revoked) return { revoked: true };
    const limit = this.limitOverride ?? defaultLimit;
    const { granted, state, retryAfterMs } = takeTokens(this.state, limit, Date.now(), want, returned);
    this.state = state;
    this.writeSoon();
    return { granted, limit, tokens: state.tokens, retryAfterMs };
  }

  /** Gives this key its own requests-per-minute limit (`null`: back to the deployment's); see `changeLimit`. */
  setLimit(requestsPerMinute: number | null): void {
    if (requestsPerMinute !== null && !isRequestsPerMinute(requestsPerMinute)) {
      throw new RangeError(`rate limit ${requestsPerMinute} is not allowed; use a whole number of requests from 1 up`);
    }
    const from = this.limitOverride ?? this.deploymentLimit();
    this.state = changeLimit(this.state, from, requestsPerMinute ?? this.deploymentLimit(), Date.now());
    this.limitOverride = requestsPerMinute;
    this.write();
  }

  /** The key this bucket counts for is revoked: for good (key ids are never given out again). */
  revoke(): void {
    this.ctx.storage.sql.exec('INSERT OR IGNORE INTO revoked (id, at_ms) VALUES (1, ?)', Date.now());
    this.revoked = true;
  }

  private deploymentLimit(): number {
    return parseRequestsPerMinute(this.env.RATE_LIMIT_REQUESTS_PER_MINUTE);
  }

  /** Writes the bucket once `WRITE_BEHIND_MS` has passed, unless a write is already due. */
  private writeSoon(): void {
    this.writeScheduled ??= setTimeout(() => this.write(), WRITE_BEHIND_MS);
  }

  private write(): void {
    if (this.writeScheduled !== undefined) clearTimeout(this.writeScheduled);
    this.writeScheduled = undefined;
    if (!this.state) return;
    this.ctx.storage.sql.exec(
      `INSERT INTO bucket (id, tokens, updated_at_ms, limit_override) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET tokens = excluded.tokens, updated_at_ms = excluded.updated_at_ms,
         limit_override = excluded.limit_override`,
      this.state.tokens,
      this.state.updatedAtMs,
      this.limitOverride,
    );
  }
}
