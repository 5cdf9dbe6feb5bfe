import { DurableObject } from 'cloudflare:workers';
import { imagesShare, type Usage } from '../billing/price-table.ts';
import { jobRun } from '../durable-objects.ts';
import type { Env } from '../env.ts';
import type { ApiKeyMode } from '../keys/api-key.ts';
import { readRouterConfig } from '../router-config.ts';
import type { ModerationOverrides, ModerationPolicy } from '../safety/moderation-policy.ts';
import { type ApiScope, isApiScope } from './api-scopes.ts';
import {
  createOrphanCheckTable,
  dropOrphanCheck,
  dueOrphanChecks,
  nextOrphanCheckAt,
  scheduleOrphanCheck,
} from './orphaned-reservations.ts';
import {
  addToCounts,
  blockedAttempts,
  countBlockedAttempt,
  createSafetyTables,
  type EndUserRecord,
  listEndUsers,
  readCounts,
  readOverrides,
  readPolicy,
  resetEndUser,
  type SafetyTally,
  writeOverrides,
} from './tenant-safety.ts';

/** Keys a tenant may hold at once: two, so one can be rotated in before the other is revoked. */
export const MAX_ACTIVE_KEYS = 2;

export interface KeySummary {
  id: string;
  hint: string;
  mode: ApiKeyMode;
  scopes: ApiScope[];
  createdAt: string;
  revokedAt: string | null;
}

export interface UsageSummary {
  calls: number;
  images: number;
  megapixelSteps: number;
  creditsSpent: number;
  creditsReserved: number;
  creditsRemaining: number;
  /** Prompts and images moderators flagged, and of them those refused (docs/SAFETY.md). */
  contentFilter: SafetyTally;
}

/** How a job ended, for the ledger: the images stored (the rest were blocked), and its safety counts. */
export interface JobOutcome {
  /** Images stored and served; the job is charged for these only. Absent: all it was priced for. */
  storedImages?: number;
  tally: SafetyTally;
  /** The client token's end user, whose blocked attempts a blocked image adds to. */
  endUser?: string;
}

export type ReserveResult =
  | { ok: true; balance: number; policy: ModerationPolicy }
  | { ok: false; balance: number; needed: number }
  | { ok: false; tokenCap: number; tokenSpent: number; needed: number }
  | { ok: false; endUserBlocked: EndUserStanding };

/** An end user's standing: blocked attempts against the tenant's threshold (`null`: none set). */
export interface EndUserStanding {
  endUser: string;
  blockedAttempts: number;
  threshold: number | null;
  blocked: boolean;
}

type KeyRow = {
  key_id: string;
  hint: string;
  mode: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
};

/** An end user is blocked once their blocked attempts reach the threshold (none set: never). */
function standing(user: { endUser: string; blockedAttempts: number }, threshold: number | null): EndUserStanding {
  return { ...user, threshold, blocked: threshold !== null && user.blockedAttempts >= threshold };
}

/**
 * One tenant's account, strongly consistent (a Durable Object, never KV): its keys, and its credits as a ledger of
 * reservations. A job reserves its price at submission, captures it on success and releases it on failure,
 * cancellation or our own error. Each method runs its reads and writes with no `await` between them, so the object's
 * single thread makes check-then-write atomic: 50 concurrent reservations against 10 credits admit exactly 10.
 */
export class TenantAccount extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { sql } = ctx.storage;
    sql.exec(`CREATE TABLE IF NOT EXISTS keys (
      key_id TEXT PRIMARY KEY, digest TEXT NOT NULL, hint TEXT NOT NULL, mode TEXT NOT NULL, scopes TEXT NOT NULL,
      created_at TEXT NOT NULL, revoked_at TEXT)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS account (
      id INTEGER PRIMARY KEY CHECK (id = 1), granted INTEGER NOT NULL, spent INTEGER NOT NULL, calls INTEGER NOT NULL,
      images INTEGER NOT NULL, megapixel_steps REAL NOT NULL)`);
    sql.exec('INSERT OR IGNORE INTO account VALUES (1, 0, 0, 0, 0, 0)');
    // One row per list a job appears in: its key's, and for client tokens the end user's (see jobs/job-access.ts).
    sql.exec(`CREATE TABLE IF NOT EXISTS jobs (
      scope TEXT NOT NULL, job_id TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (scope, job_id))`);
    sql.exec('CREATE INDEX IF NOT EXISTS jobs_by_scope ON jobs (scope, created_at DESC, job_id DESC)');
    sql.exec(`CREATE TABLE IF NOT EXISTS reservations (
      job_id TEXT PRIMARY KEY, credits INTEGER NOT NULL, images INTEGER NOT NULL, megapixel_steps REAL NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('reserved', 'captured', 'released')), token_id TEXT, key_id TEXT)`);
    createSafetyTables(sql);
    createOrphanCheckTable(sql);
  }

  /** Adds a key unless two are already active; the caller registers it in the directory afterwards. */
  addKey(key: Omit<KeySummary, 'revokedAt'> & { digest: string }): { ok: true } | { ok: false; active: number } {
    const { sql } = this.ctx.storage;
    const active = sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM keys WHERE revoked_at IS NULL').one().n;
    if (active >= MAX_ACTIVE_KEYS) return { ok: false, active };
    sql.exec(
      'INSERT INTO keys (key_id, digest, hint, mode, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      key.id,
      key.digest,
      key.hint,
      key.mode,
      JSON.stringify(key.scopes),
      key.createdAt,
    );
    return { ok: true };
  }

  listKeys(): KeySummary[] {
    return this.ctx.storage.sql
      .exec<KeyRow>('SELECT key_id, hint, mode, scopes, created_at, revoked_at FROM keys ORDER BY created_at')
      .toArray()
      .map((row) => ({
        id: row.key_id,
        hint: row.hint,
        mode: row.mode as ApiKeyMode,
        scopes: (JSON.parse(row.scopes) as string[]).filter(isApiScope),
        createdAt: row.created_at,
        revokedAt: row.revoked_at,
      }));
  }

  /** The digest of an active key, for the directory to revoke first; undefined when there is no such active key. */
  activeKeyDigest(keyId: string): string | undefined {
    const [row] = this.ctx.storage.sql
      .exec<{ digest: string }>('SELECT digest FROM keys WHERE key_id = ? AND revoked_at IS NULL', keyId)
      .toArray();
    return row?.digest;
  }

  markKeyRevoked(keyId: string, at: string): void {
    this.ctx.storage.sql.exec('UPDATE keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL', at, keyId);
  }

  /** Adds credits; returns the balance available for new jobs. */
  grant(credits: number): number {
    this.ctx.storage.sql.exec('UPDATE account SET granted = granted + ? WHERE id = 1', credits);
    return this.balance();
  }

  /**
   * Holds a job's price and, with `listing`, indexes the job in its lists (`recordJob`) in the same transaction: one
   * call and one durable write for a job's creation. It answers with the tenant's moderation policy, so the job's
   * creation needs no other call. A client token's end user past the policy's threshold reserves nothing
   * (`endUserBlocked`). Idempotent per job id: a second call reserves nothing more.
   */
  async reserve(
    jobId: string,
    price: { credits: number; images: number; megapixelSteps: number },
    holder: { keyId?: string; token?: { id: string; maxCredits?: number; endUser?: string } } = {},
    listing?: { scopes: string[]; createdAt: string },
  ): Promise<ReserveResult> {
    const result = this.take(jobId, price, holder, listing);
    // A check that the job's object took the job (orphaned-reservations.ts); its alarm, unless one is set already.
    if (result.ok && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(nextOrphanCheckAt(this.ctx.storage.sql) ?? Date.now());
    }
    return result;
  }

  /** `reserve`'s reads and writes, with no `await` between them. */
  private take(
    jobId: string,
    price: { credits: number; images: number; megapixelSteps: number },
    holder: { keyId?: string; token?: { id: string; maxCredits?: number; endUser?: string } },
    listing?: { scopes: string[]; createdAt: string },
  ): ReserveResult {
    const { token } = holder;
    const { sql } = this.ctx.storage;
    const policy = this.policy();
    const existing = sql.exec('SELECT 1 FROM reservations WHERE job_id = ?', jobId).toArray();
    if (existing.length > 0) return { ok: true, balance: this.balance(), policy };
    if (token?.endUser !== undefined) {
      const standing = this.endUserStanding(token.endUser);
      if (standing.blocked) return { ok: false, endUserBlocked: standing };
    }
    if (token?.maxCredits !== undefined) {
      // A client token's cap counts what its jobs hold or spent; released credits come back to it too.
      const tokenSpent = sql
        .exec<{ n: number }>(
          "SELECT COALESCE(SUM(credits), 0) AS n FROM reservations WHERE token_id = ? AND state != 'released'",
          token.id,
        )
        .one().n;
      if (tokenSpent + price.credits > token.maxCredits) {
        return { ok: false, tokenCap: token.maxCredits, tokenSpent, needed: price.credits };
      }
    }
    const balance = this.balance();
    if (balance < price.credits) return { ok: false, balance, needed: price.credits };
    sql.exec(
      "INSERT INTO reservations VALUES (?, ?, ?, ?, 'reserved', ?, ?)",
      jobId,
      price.credits,
      price.images,
      price.megapixelSteps,
      token?.id ?? null,
      holder.keyId ?? null,
    );
    sql.exec('UPDATE account SET calls = calls + 1 WHERE id = 1');
    if (listing) this.recordJob(jobId, listing.scopes, listing.createdAt);
    scheduleOrphanCheck(sql, jobId, Date.now());
    return { ok: true, balance: balance - price.credits, policy };
  }

  /**
   * Each reservation, once `ORPHAN_CHECK_AFTER_MS` old: still held while its job's object never took the job (the
   * request that made it died in between), it is released, and the object refuses the job from then on
   * (`JobRun.holdOrRefuse`). A job its object holds is the object's to settle, as always.
   */
  override async alarm(): Promise<void> {
    const { sql } = this.ctx.storage;
    for (const { jobId, state } of dueOrphanChecks(sql, Date.now())) {
      if (state === 'reserved' && (await jobRun(this.env, jobId).holdOrRefuse()) === 'refused') {
        this.release(jobId);
        console.warn(JSON.stringify({ level: 'warn', event: 'reservation_orphaned', jobId }));
      }
      dropOrphanCheck(sql, jobId);
    }
    const next = nextOrphanCheckAt(sql);
    if (next !== undefined) await this.ctx.storage.setAlarm(next);
  }

  /**
   * Takes back a reservation whose job never started: its prompt was refused (`blocked`: counted, and for its end
   * user a blocked attempt), or no moderation verdict came under `MODERATION_FAILURE=closed`. No call, credits or list
   * entry remain. Only a reserved job moves; repeats change nothing.
   */
  withdraw(jobId: string, blocked?: { endUser?: string }): void {
    const { sql } = this.ctx.storage;
    const removed = sql.exec("DELETE FROM reservations WHERE job_id = ? AND state = 'reserved'", jobId).rowsWritten;
    if (removed === 0) return;
    sql.exec('DELETE FROM jobs WHERE job_id = ?', jobId);
    sql.exec('UPDATE account SET calls = calls - 1 WHERE id = 1');
    if (!blocked) return;
    addToCounts(sql, { promptsFlagged: 1, promptsBlocked: 1, imagesFlagged: 0, imagesBlocked: 0 });
    if (blocked.endUser !== undefined) countBlockedAttempt(sql, blocked.endUser, new Date().toISOString());
  }

  /** Indexes a job under each list it belongs to, for `GET /v1/jobs`. */
  private recordJob(jobId: string, scopes: string[], createdAt: string): void {
    for (const scope of scopes) {
      this.ctx.storage.sql.exec('INSERT OR IGNORE INTO jobs VALUES (?, ?, ?)', scope, jobId, createdAt);
    }
  }

  /**
   * The jobs of one list (a key's, or an end user's under it), newest first, `limit` at a time; `before` is the last row of the previous page (keyset pagination:
   * stable while new jobs arrive).
   */
  listJobs(
    scope: string,
    limit: number,
    before?: { createdAt: string; jobId: string },
  ): { jobIds: string[]; hasMore: boolean } {
    const rows = this.ctx.storage.sql
      .exec<{ job_id: string }>(
        `SELECT job_id FROM jobs WHERE scope = ? AND (created_at, job_id) < (?, ?)
         ORDER BY created_at DESC, job_id DESC LIMIT ?`,
        scope,
        before?.createdAt ?? '\uffff',
        before?.jobId ?? '',
        limit + 1,
      )
      .toArray();
    return { jobIds: rows.slice(0, limit).map((row) => row.job_id), hasMore: rows.length > limit };
  }

  /**
   * The job succeeded: the share of its reservation its stored images make becomes spending (`imagesShare`: a blocked
   * image is not charged), and its safety counts are added. Only a reserved job moves; a repeat changes nothing and
   * answers what was captured. Returns the usage charged; undefined for a job this account never reserved.
   */
  capture(jobId: string, outcome?: JobOutcome): Usage | undefined {
    const { sql } = this.ctx.storage;
    const [row] = sql
      .exec<{ credits: number; images: number; megapixel_steps: number; state: string }>(
        'SELECT credits, images, megapixel_steps, state FROM reservations WHERE job_id = ?',
        jobId,
      )
      .toArray();
    if (!row) return undefined;
    const reserved: Usage = { credits: row.credits, images: row.images, megapixelSteps: row.megapixel_steps };
    if (row.state !== 'reserved') return reserved;
    const charged = imagesShare(reserved, outcome?.storedImages ?? reserved.images);
    sql.exec(
      "UPDATE reservations SET state = 'captured', credits = ?, images = ?, megapixel_steps = ? WHERE job_id = ?",
      charged.credits,
      charged.images,
      charged.megapixelSteps,
      jobId,
    );
    sql.exec(
      'UPDATE account SET spent = spent + ?, images = images + ?, megapixel_steps = megapixel_steps + ? WHERE id = 1',
      charged.credits,
      charged.images,
      charged.megapixelSteps,
    );
    if (outcome) this.count(outcome);
    return charged;
  }

  /**
   * The job failed, was canceled, never started (`aborted`), or we erred: its credits come back, and its safety counts
   * (a flagged prompt) are added. Repeats change nothing.
   */
  release(jobId: string, outcome?: JobOutcome): void {
    const { rowsWritten } = this.ctx.storage.sql.exec(
      "UPDATE reservations SET state = 'released' WHERE job_id = ? AND state = 'reserved'",
      jobId,
    );
    if (rowsWritten > 0 && outcome) this.count(outcome);
  }

  /** Adds a finished job's safety counts; a job with a blocked image is one blocked attempt of its end user. */
  private count({ tally, endUser }: JobOutcome): void {
    const { sql } = this.ctx.storage;
    addToCounts(sql, tally);
    if (tally.imagesBlocked > 0 && endUser !== undefined) countBlockedAttempt(sql, endUser, new Date().toISOString());
  }

  /** The tenant's policy: the deployment's defaults (`PROMPT_MODERATION` …) with its own overrides. */
  private policy(): ModerationPolicy {
    return readPolicy(this.ctx.storage.sql, readRouterConfig(this.env).moderation.defaults);
  }

  /** The policy in force and the tenant's own overrides (`null`: the deployment's default). */
  moderationPolicy(): { policy: ModerationPolicy; overrides: Required<ModerationOverrides> } {
    return { policy: this.policy(), overrides: readOverrides(this.ctx.storage.sql) };
  }

  /** Sets the overrides `change` names (`null`: back to the default); answers as `moderationPolicy`. */
  setModerationPolicy(change: ModerationOverrides): ReturnType<TenantAccount['moderationPolicy']> {
    writeOverrides(this.ctx.storage.sql, change);
    return this.moderationPolicy();
  }

  /** An end user's blocked attempts against the threshold: `blocked` once they reach it. */
  endUserStanding(endUser: string): EndUserStanding {
    return standing(
      { endUser, blockedAttempts: blockedAttempts(this.ctx.storage.sql, endUser) },
      this.policy().endUserBlockThreshold,
    );
  }

  /** End users with blocked attempts, most first, and the threshold they are held to. */
  endUsers(limit: number): { threshold: number | null; endUsers: (EndUserStanding & EndUserRecord)[] } {
    const threshold = this.policy().endUserBlockThreshold;
    const endUsers = listEndUsers(this.ctx.storage.sql, limit).map((record) => ({
      ...record,
      ...standing(record, threshold),
    }));
    return { threshold, endUsers };
  }

  /** Clears an end user's blocked attempts, so their tokens work again; whether there were any. */
  resetEndUser(endUser: string): boolean {
    return resetEndUser(this.ctx.storage.sql, endUser);
  }

  /** One key's share of the account: its calls, and the images, megapixel-steps and credits of its captured jobs. */
  keyUsage(keyId: string): Pick<UsageSummary, 'calls' | 'images' | 'megapixelSteps' | 'creditsSpent'> {
    const row = this.ctx.storage.sql
      .exec<{ calls: number; images: number; megapixel_steps: number; spent: number }>(
        `SELECT COUNT(*) AS calls,
           COALESCE(SUM(CASE WHEN state = 'captured' THEN images END), 0) AS images,
           COALESCE(SUM(CASE WHEN state = 'captured' THEN megapixel_steps END), 0) AS megapixel_steps,
           COALESCE(SUM(CASE WHEN state = 'captured' THEN credits END), 0) AS spent
         FROM reservations WHERE key_id = ?`,
        keyId,
      )
      .one();
    return { calls: row.calls, images: row.images, megapixelSteps: row.megapixel_steps, creditsSpent: row.spent };
  }

  usage(): UsageSummary {
    const account = this.ctx.storage.sql
      .exec<{ spent: number; calls: number; images: number; megapixel_steps: number }>(
        'SELECT spent, calls, images, megapixel_steps FROM account WHERE id = 1',
      )
      .one();
    return {
      calls: account.calls,
      images: account.images,
      megapixelSteps: account.megapixel_steps,
      creditsSpent: account.spent,
      creditsReserved: this.reserved(),
      creditsRemaining: this.balance(),
      contentFilter: readCounts(this.ctx.storage.sql),
    };
  }

  private reserved(): number {
    return this.ctx.storage.sql
      .exec<{ n: number }>("SELECT COALESCE(SUM(credits), 0) AS n FROM reservations WHERE state = 'reserved'")
      .one().n;
  }

  /** Granted, less spent, less held by running jobs. */
  private balance(): number {
    const { granted, spent } = this.ctx.storage.sql
      .exec<{ granted: number; spent: number }>('SELECT granted, spent FROM account WHERE id = 1')
      .one();
    return granted - spent - this.reserved();
  }
}
