import { bytesToHex, type ProgressCallback } from '@stipple/jobs';
import type { Env } from '../env.ts';

/** Where workers report a job's events: the router's own route (`routes/job-event-routes.ts`). */
export const jobEventsPath = (jobId: string) => `/internal/jobs/${jobId}/events`;

/**
 * The job's callback token: HMAC-SHA256 of its id under the worker secret. Derived, not stored, so the event route can
 * check a report without reading anything; one job's token says nothing of another's.
 */
export async function callbackToken(workerSecret: string, jobId: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(workerSecret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`job-events/${jobId}`));
  return bytesToHex(mac);
}

/**
 * The job's `progress` callback: this router's public URL (`PUBLIC_URL`, else the origin the job was created on) and
 * the job's token. Every provider's worker reports through it, SageMaker's included.
 */
export async function jobCallback(env: Env, requestUrl: string, jobId: string): Promise<ProgressCallback> {
  const base = env.PUBLIC_URL || new URL(requestUrl).origin;
  return { url: new URL(jobEventsPath(jobId), base).href, token: await callbackToken(env.WORKER_SECRET, jobId) };
}
