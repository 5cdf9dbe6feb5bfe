import { createWebhookSecret } from './webhook-signature.ts';

/** How long a rotated-out secret keeps signing beside the new one when rotate names no `grace_seconds`: a day. */
export const DEFAULT_SECRET_GRACE_SECONDS = 24 * 60 * 60;
/** The longest grace rotate accepts, seconds (a week). */
export const MAX_SECRET_GRACE_SECONDS = 7 * 24 * 60 * 60;

/** The tenant's signing secret as the API shows it. */
export interface WebhookSecretState {
  /** The current `whsec_` secret; it signs every attempt. */
  key: string;
  /** Until when (ISO 8601) the previous secret also signs every attempt; null when none does. */
  previousKeyExpiresAt: string | null;
}

/**
 * A tenant's `whsec_` secrets in its outbox's SQLite: the current one, created on first use, and the one it replaced,
 * kept for a grace period. During the grace every attempt carries both signatures (Standard Webhooks allows several,
 * space-separated, and a receiver accepts any one that matches), so a receiver still holding the old secret keeps
 * accepting deliveries until it switches.
 */
export class WebhookSecretStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS secret (
      id INTEGER PRIMARY KEY CHECK (id = 1), secret_key TEXT NOT NULL, created_at TEXT NOT NULL)`);
    // Its own table, so outboxes created before rotation had a grace simply gain it.
    sql.exec(`CREATE TABLE IF NOT EXISTS previous_secret (
      id INTEGER PRIMARY KEY CHECK (id = 1), secret_key TEXT NOT NULL, expires_at_ms INTEGER NOT NULL)`);
  }

  state(): WebhookSecretState {
    const previous = this.previous();
    return {
      key: this.current(),
      previousKeyExpiresAt: previous ? new Date(previous.expires_at_ms).toISOString() : null,
    };
  }

  /** The secrets that sign an attempt now, the current one first. */
  signingSecrets(): string[] {
    const previous = this.previous();
    return previous ? [this.current(), previous.secret_key] : [this.current()];
  }

  /**
   * Replaces the current secret; the replaced one keeps signing for `graceSeconds` (0: not at all). Only the secret
   * just replaced is kept: one rotated out earlier stops signing now.
   */
  rotate(graceSeconds: number): WebhookSecretState {
    // A secret never created was never handed out: nobody needs it kept.
    const replaced = this.stored();
    this.sql.exec('INSERT OR REPLACE INTO secret VALUES (1, ?, ?)', createWebhookSecret(), new Date().toISOString());
    if (replaced !== undefined && graceSeconds > 0) {
      this.sql.exec(
        'INSERT OR REPLACE INTO previous_secret VALUES (1, ?, ?)',
        replaced,
        Date.now() + graceSeconds * 1000,
      );
    } else {
      this.sql.exec('DELETE FROM previous_secret');
    }
    return this.state();
  }

  private stored(): string | undefined {
    return this.sql.exec<{ secret_key: string }>('SELECT secret_key FROM secret WHERE id = 1').toArray()[0]?.secret_key;
  }

  private current(): string {
    const stored = this.stored();
    if (stored !== undefined) return stored;
    const created = createWebhookSecret();
    this.sql.exec('INSERT INTO secret VALUES (1, ?, ?)', created, new Date().toISOString());
    return created;
  }

  /** The previous secret while its grace lasts; once over, it is deleted rather than left lying on disk. */
  private previous(): { secret_key: string; expires_at_ms: number } | undefined {
    this.sql.exec('DELETE FROM previous_secret WHERE expires_at_ms <= ?', Date.now());
    return this.sql
      .exec<{ secret_key: string; expires_at_ms: number }>('SELECT secret_key, expires_at_ms FROM previous_secret')
      .toArray()[0];
  }
}
