/** The longest delay `setTimeout` takes (2^31 − 1 ms, about 24.8 days); a longer one fires at once. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `onDeadline` at `deadlineMs` (ms since the epoch), however far away: a delay past `setTimeout`'s limit is
 * waited in legs. Returns the function that disarms it.
 */
export function armDeadline(deadlineMs: number, onDeadline: () => void, now: () => number = Date.now): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const delay = deadlineMs - now();
    if (delay <= 0) return onDeadline();
    timer = setTimeout(arm, Math.min(delay, MAX_TIMER_DELAY_MS));
  };
  arm();
  return () => clearTimeout(timer);
}
