import type { Env } from '../env.ts';

/**
 * How long `POST /v1/images/generations` waits for its images when `SYNC_WAIT_SECONDS` is unset, seconds: well under
 * Cloudflare's 100-second proxy read timeout (error 524), leaving time to presign or read the outputs.
 */
export const DEFAULT_SYNC_WAIT_SECONDS = 55;

/** `SYNC_WAIT_SECONDS`, read per request (0 = never wait: every generation answers `generation_pending`). */
export function syncWaitSeconds(env: Pick<Env, 'SYNC_WAIT_SECONDS'>): number {
  const configured = env.SYNC_WAIT_SECONDS;
  if (configured === undefined || configured.trim() === '') return DEFAULT_SYNC_WAIT_SECONDS;
  const seconds = Number(configured);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(
      `SYNC_WAIT_SECONDS "${configured}" is not a number of seconds; use 0 or more (default ${DEFAULT_SYNC_WAIT_SECONDS})`,
    );
  }
  return seconds;
}
