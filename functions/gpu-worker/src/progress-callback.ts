import type { GenerationProgress } from '@stipple/core';
import { type Job, type JobEventInput, signRequest } from '@stipple/jobs';
import { callbackFetch } from './callback-fetch.ts';
import { progressEvent } from './progress-event.ts';

type Outcome = Extract<JobEventInput, { status: 'succeeded' | 'failed' }>;
type EventBody = DistributiveOmit<JobEventInput, 'jobId' | 'tenantId' | 'emittedAt'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface ProgressReporter {
  /**
   * The job got a GPU slot and begins: reported, unless `announced` (the worker's 202 already said `running`); either
   * way step events are spaced from now.
   */
  started(announced?: boolean): void;
  progress(progress: GenerationProgress): void;
  /**
   * The terminal event (`succeeded` with the manifest, or `failed`); resolves once it, after anything queued before
   * it, has been delivered or every attempt has failed.
   */
  finish(outcome: DistributiveOmit<Outcome, 'jobId' | 'tenantId' | 'emittedAt'>): Promise<void>;
}

type Log = (entry: Record<string, unknown>) => void;

/** How long one callback request may take, ms. */
const CALLBACK_TIMEOUT_MS = 5_000;
/** The shortest interval between two step events, ms (about 10 a second). */
const PROGRESS_INTERVAL_MS = 100;
/** Waits before re-sending a terminal event the receiver did not take, ms (the router also asks, so a few suffice). */
const TERMINAL_RETRY_DELAYS_MS = [250, 1_000, 4_000];

/**
 * Posts a job's events (`@stipple/jobs` `jobEventSchema`) to its callback URL, each request signed with the job's
 * callback token as the HMAC secret (the same scheme as requests to the worker). At most one request is in flight and
 * step events are at least 100 ms apart (and from `started`); steps that finish meanwhile collapse into the latest, so
 * a slow receiver never slows generation. The terminal event is retried a few times; failures are logged, never fatal to the job (the receiver asks the worker when it hears nothing).
 */
export function createProgressReporter(job: Job, log: Log, fetchImpl: typeof fetch = callbackFetch): ProgressReporter {
  const callback = job.progress;
  let latest: EventBody | undefined;
  let sending: Promise<unknown> = Promise.resolve();
  let busy = false;
  let lastProgressAt = 0;
  let spacing: NodeJS.Timeout | undefined;

  /** Sends one event, stamped `emittedAt`; true when the receiver took it. */
  async function post(event: EventBody, emittedAt = Date.now()): Promise<boolean> {
    if (!callback) return true;
    const body = JSON.stringify({ jobId: job.jobId, tenantId: job.tenantId, emittedAt, ...event });
    const url = new URL(callback.url);
    const headers = await signRequest({
      secret: callback.token,
      method: 'POST',
      // The path exactly as sent, query included: the signature covers it (@stipple/jobs request-signature.ts).
      path: `${url.pathname}${url.search}`,
      body,
      timestamp: Math.floor(Date.now() / 1000),
    });
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) return true;
      log({ level: 'warn', event: 'callback_rejected', jobId: job.jobId, status: response.status });
      // 4xx other than 429: the receiver will never take it (unknown job, bad signature); do not insist.
      return response.status < 500 && response.status !== 429;
    } catch (error) {
      log({ level: 'warn', event: 'callback_failed', jobId: job.jobId, message: (error as Error).message });
      return false;
    }
  }

  function pump(): void {
    if (busy || latest === undefined || spacing) return;
    // Steps are reported at most every PROGRESS_INTERVAL_MS, counted from `started` too: plenty for a progress bar,
    // the receiver's load stays flat however fast steps finish, and a job done within the interval costs the receiver
    // two requests (started, outcome). Other events go at once.
    const waitMs = latest.status === 'running' ? lastProgressAt + PROGRESS_INTERVAL_MS - Date.now() : 0;
    if (waitMs > 0) {
      spacing = setTimeout(() => {
        spacing = undefined;
        pump();
      }, waitMs);
      return;
    }
    const event = latest;
    latest = undefined;
    busy = true;
    // One clock reading for the spacing and the event's stamp, so stamped events are 100 ms apart too.
    const now = Date.now();
    if (event.status === 'running' || event.status === 'started') lastProgressAt = now;
    sending = post(event, now).finally(() => {
      busy = false;
      pump();
    });
  }

  function queue(event: EventBody): void {
    if (!callback) return;
    latest = event;
    pump();
  }

  return {
    started(announced = false) {
      if (announced) lastProgressAt = Date.now();
      else queue({ status: 'started' });
    },
    progress(progress) {
      // The newest step replaces one not yet sent, except that a step carrying a preview is not replaced by one
      // without: previews come every k-th step only, and each is worth its wait. A newer preview replaces it.
      if (latest?.status === 'running' && latest.preview && !progress.preview) return;
      queue({ status: 'running', ...progressEvent(progress) });
    },
    async finish(outcome) {
      if (!callback) return;
      clearTimeout(spacing);
      spacing = undefined;
      latest = undefined;
      await sending;
      for (const delayMs of [...TERMINAL_RETRY_DELAYS_MS, undefined]) {
        if (await post(outcome)) return;
        if (delayMs === undefined) break;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      log({ level: 'error', event: 'callback_gave_up', jobId: job.jobId, status: outcome.status });
    },
  };
}
