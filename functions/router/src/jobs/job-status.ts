/** The public states of a job (Replicate's and OpenAI's vocabulary). */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'aborted' | 'timed_out';

/** The states a job never leaves; the last event of a job's stream is named after one of them. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'canceled', 'aborted', 'timed_out'];
