import { DurableObject } from 'cloudflare:workers';
import { type HealthReport, ProviderPool } from '@stipple/adapters';
import { providerHealth } from '../durable-objects.ts';
import type { Env } from '../env.ts';
import { createStorage } from '../jobs/job-services.ts';
import { createPoolEntries } from './pool-entries.ts';

/** A check older than this starts a new one (in the background) when a job asks. */
const RECHECK_AFTER_MS = 60_000;
/**
 * A check that found a provider down is redone sooner: a worker that restarts in seconds must not be kept from jobs by
 * a minute-old verdict (jobs waiting for it retry placement at most 15 s apart).
 */
const RECHECK_DOWN_AFTER_MS = 5_000;
/** A check older than this says nothing any more: jobs then try providers in order, as with no check at all. */
const TRUST_FOR_MS = 180_000;
/**
 * How long an isolate reuses the snapshot it last read (`currentProviderHealth`): the one global object is then asked
 * at most once a second per isolate instead of on every placement (docs/SCALE.md), while a verdict reaches jobs at
 * most this much later than the check that made it.
 */
export const HEALTH_READ_CACHE_MS = 1_000;

/** The last health check of every provider in `PROVIDERS`. */
export interface ProviderHealthSnapshot {
  checkedAt: string;
  providers: Record<string, HealthReport>;
}

/**
 * Provider health shared by every job. Each job's pool is short-lived (one per `JobRun`), so on its own it would learn
 * of a dead provider only by trying it; this object checks every provider (`GET /ping`, `DescribeEndpoint`) and hands
 * the verdicts to each pool before it places a job, so jobs skip a provider found down. Checks run while jobs are
 * placed (at most once a minute, from an alarm, never in a job's way) and on demand for operators
 * (`GET /v1/admin/providers`); a quiet deployment makes no calls at all.
 */
export class ProviderHealth extends DurableObject<Env> {
  /** Checks every provider now and keeps the result. */
  async check(): Promise<ProviderHealthSnapshot> {
    const pool = new ProviderPool({ providers: createPoolEntries(this.env, createStorage(this.env)) });
    const snapshot = { checkedAt: new Date().toISOString(), providers: await pool.checkHealth() };
    await this.ctx.storage.put('snapshot', snapshot);
    return snapshot;
  }

  /**
   * The last check while it can be trusted; a new one is started in the background when it is a minute old, or 5 s
   * old when it found a provider down.
   */
  async current(): Promise<ProviderHealthSnapshot | undefined> {
    const snapshot = await this.ctx.storage.get<ProviderHealthSnapshot>('snapshot');
    const age = snapshot ? Date.now() - Date.parse(snapshot.checkedAt) : Number.POSITIVE_INFINITY;
    const someDown = Object.values(snapshot?.providers ?? {}).some((report) => !report.healthy);
    const recheckAfter = someDown ? RECHECK_DOWN_AFTER_MS : RECHECK_AFTER_MS;
    if (age >= recheckAfter && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now());
    }
    return age < TRUST_FOR_MS ? snapshot : undefined;
  }

  override async alarm(): Promise<void> {
    await this.check();
  }
}

let lastRead: { at: number; snapshot: Promise<ProviderHealthSnapshot | undefined> } | undefined;

/**
 * The shared health check as a job about to be placed should see it: `ProviderHealth.current()`, read at most once per
 * `HEALTH_READ_CACHE_MS` in this isolate (concurrent placements share one read). A failed read answers `undefined`
 * (no verdicts: providers are tried in order), and is not kept.
 */
export function currentProviderHealth(env: Env, now = Date.now()): Promise<ProviderHealthSnapshot | undefined> {
  if (lastRead && now - lastRead.at < HEALTH_READ_CACHE_MS) return lastRead.snapshot;
  const read: NonNullable<typeof lastRead> = { at: now, snapshot: Promise.resolve(undefined) };
  read.snapshot = (providerHealth(env).current() as Promise<ProviderHealthSnapshot | undefined>).catch(() => {
    if (lastRead === read) lastRead = undefined;
    return undefined;
  });
  lastRead = read;
  return read.snapshot;
}
