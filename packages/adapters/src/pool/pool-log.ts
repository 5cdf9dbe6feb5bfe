/**
 * One routing decision, as a structured JSON log line: `event` names it, `jobId` ties it to the job (absent only for
 * health checks), and the rest are its facts.
 */
export interface PoolLogEntry {
  level: 'info' | 'warn' | 'error';
  event: string;
  jobId?: string;
  providerId?: string;
  [fact: string]: unknown;
}

export type PoolLogger = (entry: PoolLogEntry) => void;

/** Writes each entry as one JSON line (workerd and Node both collect `console.log`). */
export const jsonLogger: PoolLogger = (entry) => console.log(JSON.stringify(entry));
