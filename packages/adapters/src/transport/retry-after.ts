/**
 * Milliseconds to wait from a `Retry-After` header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). `undefined`
 * when absent or unreadable; never negative.
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Every HTTP-date form names its weekday or month; anything else (a negative number, a word) is unreadable.
  const date = /[A-Za-z]{3}/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
