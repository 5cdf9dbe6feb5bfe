import type { Clock } from '../spec/clock.ts';

export interface TimeLimit {
  /** Aborts when the limit passes (with `reason()`) or when the outer signal does. */
  signal: AbortSignal;
  /** Stops the timer; call it once the limited work is over. */
  clear(): void;
}

/** A signal that aborts after `ms` on the injected clock, or with `outer`. */
export function timeLimit(clock: Clock, ms: number, reason: () => Error, outer?: AbortSignal): TimeLimit {
  const expiry = new AbortController();
  const stopper = new AbortController();
  clock.sleep(ms, stopper.signal).then(
    () => expiry.abort(reason()),
    // The timer was stopped by clear(): the work ended first, nothing to do.
    () => undefined,
  );
  return {
    signal: outer ? AbortSignal.any([outer, expiry.signal]) : expiry.signal,
    clear: () => stopper.abort(),
  };
}
