import {
  effectivePolicy,
  isModerationMode,
  type ModerationOverrides,
  type ModerationPolicy,
} from '../safety/moderation-policy.ts';

/**
 * A tenant's content-safety state in its `TenantAccount`'s SQLite: its policy overrides, its flagged and blocked
 * counts (`/v1/usage`), and its end users' blocked attempts. Plain functions over the object's `sql`, called from its
 * methods with no `await` between, so each change is atomic with the ledger change it goes with.
 */

/** What one job or refused prompt adds to the tenant's counts (`/v1/usage` `content_filter`); flagged includes blocked. */
export interface SafetyTally {
  promptsFlagged: number;
  promptsBlocked: number;
  imagesFlagged: number;
  imagesBlocked: number;
}

/** An end user with blocked attempts, for the admin API. */
export interface EndUserRecord {
  endUser: string;
  blockedAttempts: number;
  lastBlockedAt: string;
}

const COUNT_COLUMNS = ['prompts_flagged', 'prompts_blocked', 'images_flagged', 'images_blocked'] as const;

export function createSafetyTables(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS moderation_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1), prompts TEXT, images TEXT, end_user_block_threshold INTEGER)`);
  sql.exec('INSERT OR IGNORE INTO moderation_policy VALUES (1, NULL, NULL, NULL)');
  sql.exec(`CREATE TABLE IF NOT EXISTS content_filter_counts (
    id INTEGER PRIMARY KEY CHECK (id = 1), ${COUNT_COLUMNS.map((column) => `${column} INTEGER NOT NULL`).join(', ')})`);
  sql.exec('INSERT OR IGNORE INTO content_filter_counts VALUES (1, 0, 0, 0, 0)');
  sql.exec(`CREATE TABLE IF NOT EXISTS end_users (
    end_user TEXT PRIMARY KEY, blocked_attempts INTEGER NOT NULL, last_blocked_at TEXT NOT NULL)`);
}

type PolicyRow = { prompts: string | null; images: string | null; end_user_block_threshold: number | null };

/** The tenant's own overrides (`null`: the deployment's default). */
export function readOverrides(sql: SqlStorage): Required<ModerationOverrides> {
  const row = sql
    .exec<PolicyRow>('SELECT prompts, images, end_user_block_threshold FROM moderation_policy WHERE id = 1')
    .one();
  return {
    prompts: isModerationMode(row.prompts) ? row.prompts : null,
    images: isModerationMode(row.images) ? row.images : null,
    endUserBlockThreshold: row.end_user_block_threshold,
  };
}

/** Changes the overrides named in `change` (a `null` one goes back to the default); the others stay. */
export function writeOverrides(sql: SqlStorage, change: ModerationOverrides): void {
  const next = { ...readOverrides(sql), ...change };
  sql.exec(
    'UPDATE moderation_policy SET prompts = ?, images = ?, end_user_block_threshold = ? WHERE id = 1',
    next.prompts,
    next.images,
    next.endUserBlockThreshold,
  );
}

export function readPolicy(sql: SqlStorage, defaults: ModerationPolicy): ModerationPolicy {
  return effectivePolicy(defaults, readOverrides(sql));
}

export function addToCounts(sql: SqlStorage, tally: SafetyTally): void {
  sql.exec(
    `UPDATE content_filter_counts SET ${COUNT_COLUMNS.map((column) => `${column} = ${column} + ?`).join(', ')} WHERE id = 1`,
    tally.promptsFlagged,
    tally.promptsBlocked,
    tally.imagesFlagged,
    tally.imagesBlocked,
  );
}

export function readCounts(sql: SqlStorage): SafetyTally {
  const row = sql
    .exec<Record<(typeof COUNT_COLUMNS)[number], number>>(
      `SELECT ${COUNT_COLUMNS.join(', ')} FROM content_filter_counts WHERE id = 1`,
    )
    .one();
  return {
    promptsFlagged: row.prompts_flagged,
    promptsBlocked: row.prompts_blocked,
    imagesFlagged: row.images_flagged,
    imagesBlocked: row.images_blocked,
  };
}

/** Counts one blocked attempt of an end user. */
export function countBlockedAttempt(sql: SqlStorage, endUser: string, at: string): void {
  sql.exec(
    `INSERT INTO end_users VALUES (?, 1, ?)
     ON CONFLICT (end_user) DO UPDATE SET blocked_attempts = blocked_attempts + 1, last_blocked_at = excluded.last_blocked_at`,
    endUser,
    at,
  );
}

export function blockedAttempts(sql: SqlStorage, endUser: string): number {
  const [row] = sql
    .exec<{ n: number }>('SELECT blocked_attempts AS n FROM end_users WHERE end_user = ?', endUser)
    .toArray();
  return row?.n ?? 0;
}

/** End users with blocked attempts, most first. */
export function listEndUsers(sql: SqlStorage, limit: number): EndUserRecord[] {
  return sql
    .exec<{ end_user: string; blocked_attempts: number; last_blocked_at: string }>(
      'SELECT end_user, blocked_attempts, last_blocked_at FROM end_users ORDER BY blocked_attempts DESC, end_user LIMIT ?',
      limit,
    )
    .toArray()
    .map((row) => ({
      endUser: row.end_user,
      blockedAttempts: row.blocked_attempts,
      lastBlockedAt: row.last_blocked_at,
    }));
}

/** Forgets an end user's blocked attempts; whether there were any. */
export function resetEndUser(sql: SqlStorage, endUser: string): boolean {
  return sql.exec('DELETE FROM end_users WHERE end_user = ?', endUser).rowsWritten > 0;
}
