import type { GenerationProgress } from '@stipple/core';
import { type Job, signRequest } from '@stipple/jobs';
import { progressEvent } from './progress-event.ts';

export interface ProgressReporter {
  progress(progress: GenerationProgress): void;
  /**
   * The terminal event (`{ status: 'succeeded', manifestKey }` or `{ status: 'failed', code, message }`); resolves once
   * it, after anything queued before it, has been delivered or has failed.
   */
  finish(outcome: { status: 'succeeded' | 'failed' } & Record<string, unknown>): Promise<void>;
}

type Log = (entry: Record<string, unknown>) => void;

/**
 * Posts a job's progress to its callback URL, each request signed with the job's callback token as the HMAC secret
 * (the same scheme as requests to the worker). At most one request is in flight; steps that finish meanwhile collapse
 * into the latest, so a slow receiver never slows generation. Failures are logged, never fatal to the job.
 */
export function createProgressReporter(job: Job, log: Log, fetchImpl: typeof fetch = fetch): ProgressReporter {
  const callback = job.progress;
  let latest: Record<string, unknown> | undefined;
  let sending: Promise<void> = Promise.resolve();
  let busy = false;

  async function post(event: Record<string, unknown>): Promise<void> {
    if (!callback) return;
    const body = JSON.stringify({ jobId: job.jobId, tenantId: job.tenantId, ...event });
    const url = new URL(callback.url);
    const headers = await signRequest({
      secret: callback.token,
      method: 'POST',
      path: url.pathname,
      body,
      timestamp: Math.floor(Date.now() / 1000),
    });
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) log({ level: 'warn', event: 'callback_rejected', jobId: job.jobId, status: response.status });
    } catch (error) {
      log({ level: 'warn', event: 'callback_failed', jobId: job.jobId, message: (error as Error).message });
    }
  }

  function pump(): void {
    if (busy || latest === undefined) return;
    const event = latest;
    latest = undefined;
    busy = true;
    sending = post(event).finally(() => {
      busy = false;
      pump();
    });
  }

  return {
    progress(progress) {
      if (!callback) return;
      // A preview that a later step's event replaces before it is sent is dropped with it: the newest one wins.
      latest = { status: 'running', ...progressEvent(progress) };
      pump();
    },
    async finish(outcome) {
      if (!callback) return;
      latest = undefined;
      await sending;
      await post(outcome);
    },
  };
}
