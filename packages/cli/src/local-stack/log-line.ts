/** Fields of the worker's JSON log lines that say nothing to a person watching the local stack. */
const HIDDEN_FIELDS = new Set(['level', 'event', 'time', 'timestamp']);

function scalar(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/**
 * One line of a child's output made readable: a JSON log entry (the gpu-worker's and the router's) becomes
 * `event key=value …` with its level in front unless it is `info`; anything else is kept as it is.
 */
export function readableLogLine(line: string): string {
  const trimmed = line.trimEnd();
  if (!trimmed.startsWith('{')) return trimmed;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    return trimmed;
  }
  const fields = Object.entries(entry)
    .filter(([name, value]) => !HIDDEN_FIELDS.has(name) && value !== undefined)
    .map(([name, value]) => `${name}=${scalar(value)}`);
  const level = entry.level && entry.level !== 'info' ? `${String(entry.level).toUpperCase()} ` : '';
  return `${level}${[entry.event ?? '', ...fields].filter(Boolean).join(' ')}`;
}
