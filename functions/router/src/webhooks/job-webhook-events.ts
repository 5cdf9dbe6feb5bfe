/**
 * The job events a webhook may ask for, in Replicate's names (`webhook_events_filter`): `started` when a provider takes
 * the job, `progress` when its step advances, `completed` when it ends in any terminal state.
 */
export const JOB_WEBHOOK_EVENTS = ['started', 'progress', 'completed'] as const;
export type JobWebhookEvent = (typeof JOB_WEBHOOK_EVENTS)[number];

/**
 * The shortest interval between two `progress` webhooks of a job, ms: steps can finish every few milliseconds, and a
 * tenant's endpoint should not take one request per step (Replicate throttles to 500 ms as well).
 */
export const PROGRESS_WEBHOOK_INTERVAL_MS = 500;
