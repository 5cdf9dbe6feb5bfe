import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import type { ApiKeyMode } from '../keys/api-key.ts';
import { type ApiScope, isApiScope } from './api-scopes.ts';

/** What a key digest resolves to. */
export interface KeyRecord {
  keyId: string;
  tenantId: string;
  mode: ApiKeyMode;
  scopes: ApiScope[];
  /** Set when the caller holds a client token minted by this key rather than the key itself. */
  clientToken?: { id: string; maxCredits?: number; endUser?: string };
}

/**
 * Key digest → tenant, strongly consistent: a revoked key is unknown here from then on (KV would let it live on for up
 * to a minute; the isolates' caches of it are bounded by the key's `RateLimiter`: `auth/key-cache.ts`). The tenant's own account holds the list it shows; this is the index.
 */
export class KeyDirectory extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS keys (
        digest TEXT PRIMARY KEY, key_id TEXT NOT NULL, tenant_id TEXT NOT NULL, mode TEXT NOT NULL,
        scopes TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0)`,
    );
  }

  register(digest: string, record: KeyRecord): void {
    this.ctx.storage.sql.exec(
      'INSERT INTO keys (digest, key_id, tenant_id, mode, scopes) VALUES (?, ?, ?, ?, ?)',
      digest,
      record.keyId,
      record.tenantId,
      record.mode,
      JSON.stringify(record.scopes),
    );
  }

  lookup(digest: string): KeyRecord | undefined {
    const [row] = this.ctx.storage.sql
      .exec<{ key_id: string; tenant_id: string; mode: string; scopes: string }>(
        'SELECT key_id, tenant_id, mode, scopes FROM keys WHERE digest = ? AND revoked = 0',
        digest,
      )
      .toArray();
    if (!row) return undefined;
    return {
      keyId: row.key_id,
      tenantId: row.tenant_id,
      mode: row.mode as ApiKeyMode,
      // A key made while `admin` was a scope keeps only the scopes that mean something.
      scopes: (JSON.parse(row.scopes) as string[]).filter(isApiScope),
    };
  }

  /** Whether the digest was ever registered, revoked or not: a key is never given out twice. */
  known(digest: string): boolean {
    return this.ctx.storage.sql.exec('SELECT 1 FROM keys WHERE digest = ?', digest).toArray().length > 0;
  }

  revoke(digest: string): void {
    this.ctx.storage.sql.exec('UPDATE keys SET revoked = 1 WHERE digest = ?', digest);
  }
}
