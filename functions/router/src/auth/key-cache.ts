import type { KeyRecord } from '../tenancy/key-directory.ts';

/**
 * How long an isolate trusts a key it looked up in the `KeyDirectory`, seconds, unless `KEY_CACHE_SECONDS` says
 * otherwise. It bounds one thing only: how long a client token keeps working after the key that minted it is revoked.
 * A secret key's own revocation is seen within `LEASE_MS` (1 s), cached or not: its `RateLimiter`, whose tokens every
 * request spends, is told and leases none from then on (`http/rate-limit-leases.ts`).
 */
export const DEFAULT_KEY_CACHE_SECONDS = 10;
/** The longest `KEY_CACHE_SECONDS` allowed: a revoked key's client tokens must stop within minutes at worst. */
export const MAX_KEY_CACHE_SECONDS = 300;
/** Digests one isolate remembers; the oldest is forgotten first. At ~200 bytes an entry, 2 MB at most. */
export const KEY_CACHE_ENTRIES = 10_000;

interface Entry {
  record: KeyRecord;
  until: number;
}

/**
 * Key digest → the directory's answer, in this isolate's memory. The directory is 16 global shards, far from most
 * callers; the cache makes an authenticated request's key lookup free after its first in an isolate (docs/SCALE.md).
 * Only found keys are kept: a key made a moment ago works at once, and an unknown one is looked up every time.
 */
export class KeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = KEY_CACHE_ENTRIES,
  ) {}

  get(digest: string, now = Date.now()): KeyRecord | undefined {
    const entry = this.entries.get(digest);
    if (!entry) return undefined;
    if (now < entry.until) return entry.record;
    this.entries.delete(digest);
    return undefined;
  }

  set(digest: string, record: KeyRecord, now = Date.now()): void {
    this.entries.delete(digest);
    this.entries.set(digest, { record, until: now + this.ttlMs });
    // A Map iterates in insertion order: the first key is the one set longest ago.
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  drop(digest: string): void {
    this.entries.delete(digest);
  }
}

/** `KEY_CACHE_SECONDS` read: whole seconds 0–MAX_KEY_CACHE_SECONDS (0: every request asks the directory). */
export function parseKeyCacheSeconds(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_KEY_CACHE_SECONDS;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_KEY_CACHE_SECONDS) {
    throw new Error(
      `KEY_CACHE_SECONDS "${value}" is not allowed; use a whole number of seconds from 0 to ${MAX_KEY_CACHE_SECONDS}`,
    );
  }
  return seconds;
}
