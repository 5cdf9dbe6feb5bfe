import { StippleError } from '@stipple/core';
import { readServerSentEvents } from '@stipple/jobs';
import { type ApiTarget, apiFetch, apiRequest, type JobView, readJson, TERMINAL_STATUSES } from './api-client.ts';

/** How often a dropped event stream is reopened before giving up. */
const MAX_RECONNECTS = 5;
const RECONNECT_DELAY_MS = 500;

export interface JobProgress {
  step: number;
  totalSteps: number;
}

/**
 * Follows a job over `GET /v1/jobs/:id/events` until it ends and returns it as the final event shows it (with fresh
 * output URLs). A stream that drops is reopened (the router starts each stream from the job's current state); `signal`
 * stops following at once.
 */
export async function followJob(
  target: ApiTarget,
  jobId: string,
  onProgress: (progress: JobProgress) => void,
  signal?: AbortSignal,
): Promise<JobView> {
  const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await apiFetch(target, 'GET', `${path}/events`, {
        headers: { accept: 'text/event-stream' },
        signal,
      });
      if (!response.ok) await readJson(response);
      for await (const event of response.body ? readServerSentEvents(response.body) : []) {
        if (event.event === 'progress') {
          const { step, total_steps } = JSON.parse(event.data) as { step: number; total_steps: number };
          onProgress({ step, totalSteps: total_steps });
        } else if ((TERMINAL_STATUSES as readonly string[]).includes(event.event)) {
          return JSON.parse(event.data) as JobView;
        }
      }
    } catch (error) {
      if (signal?.aborted || !isConnectionFailure(error) || attempt >= MAX_RECONNECTS) throw error;
    }
    // The stream ended (or dropped) before the job did: look at the job, then listen again.
    const job = await apiRequest<JobView>(target, 'GET', path, { signal });
    if (TERMINAL_STATUSES.includes(job.status)) return job;
    if (attempt >= MAX_RECONNECTS) {
      throw new StippleError(
        'event_stream_lost',
        `the event stream of ${jobId} kept closing; the job is ${job.status}`,
      );
    }
    await new Promise((done) => setTimeout(done, RECONNECT_DELAY_MS));
  }
}

/** A dropped connection or unreachable router, as opposed to an answer from the router. */
function isConnectionFailure(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof StippleError && error.code === 'router_unreachable');
}
