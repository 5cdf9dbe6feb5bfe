/**
 * The job events a webhook may ask for, in Replicate's names (`webhook_events_filter`): `started` when a provider takes
 * the job, `progress` when its step advances, `completed` when it ends in any terminal state.
 */
export const JOB_WEBHOOK_EVENTS = ['started', 'progress', 'completed'] as const;
export type JobWebhookEvent = (typeof JOB_WEBHOOK_EVENTS)[number];
