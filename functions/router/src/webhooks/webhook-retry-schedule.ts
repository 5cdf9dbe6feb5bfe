/**
 * Delays before each retry of a failed delivery, seconds; the last one repeats. With these, a receiver that stays down
 * is tried about 9 times over the first day.
 */
export const WEBHOOK_RETRY_DELAYS_SECONDS: readonly number[] = [5, 30, 120, 600, 3600, 10_800, 21_600];
/** A message is retried until an attempt fails at least this long after its first attempt (then it is abandoned). */
export const WEBHOOK_RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_DELAY_SECONDS = 86_400;

/**
 * The retry delays from `WEBHOOK_RETRY_DELAYS_SECONDS` (comma-separated seconds, fractions allowed), or the default
 * schedule when unset.
 */
export function readRetryDelays(setting: string | undefined): readonly number[] {
  if (setting === undefined || setting.trim() === '') return WEBHOOK_RETRY_DELAYS_SECONDS;
  const delays = setting.split(',').map((part) => Number(part.trim()));
  if (delays.some(isOutOfRange)) {
    throw new Error(
      `WEBHOOK_RETRY_DELAYS_SECONDS "${setting}" is not a list of delays; use comma-separated seconds, each 0–${MAX_DELAY_SECONDS} (e.g. 5,30,120)`,
    );
  }
  return delays;
}

function isOutOfRange(delay: number): boolean {
  return !Number.isFinite(delay) || delay < 0 || delay > MAX_DELAY_SECONDS;
}

/**
 * When to try a message again after its `failedAttempts`-th failure, epoch ms; undefined when the retry window since
 * its first attempt has passed and it is to be abandoned.
 */
export function nextAttemptAt(
  firstAttemptAtMs: number,
  failedAttempts: number,
  nowMs: number,
  delays: readonly number[] = WEBHOOK_RETRY_DELAYS_SECONDS,
): number | undefined {
  if (nowMs - firstAttemptAtMs >= WEBHOOK_RETRY_WINDOW_MS) return undefined;
  const delaySeconds = delays[Math.min(failedAttempts, delays.length) - 1] ?? 0;
  return nowMs + delaySeconds * 1000;
}
