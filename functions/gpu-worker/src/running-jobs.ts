import { AbortError } from '@stipple/core';
import { WORKER_SHUTTING_DOWN } from '@stipple/jobs';

/** Where a job in this worker stands: waiting for a slot, or generating. */
export type RunningJobState = 'queued' | 'running';

/** How a job that left this worker lately ended. */
export type JobEnding = { state: 'succeeded' } | { state: 'failed'; code: string; message: string };

/** Endings remembered, the oldest forgotten first (enough to answer a router that missed a job's last event). */
const ENDINGS_KEPT = 1_000;

/**
 * The jobs in this worker (queued or generating), each with the controller that cancels it: for `DELETE /v1/jobs/:id`,
 * `GET /v1/jobs/:id`, and for draining on SIGTERM.
 */
export class RunningJobs {
  private readonly jobs = new Map<string, { canceller: AbortController; state: RunningJobState }>();
  private readonly endings = new Map<string, JobEnding>();
  /** Final events still being delivered: a draining worker waits for them before it exits. */
  private readonly reports = new Set<Promise<void>>();
  private readonly idleWaiters: (() => void)[] = [];
  /** False once draining has begun: new jobs are refused. */
  accepting = true;

  get size(): number {
    return this.jobs.size;
  }

  /** Whether a job is queued or generating here, and which; `undefined` when it is not here. */
  state(jobId: string): RunningJobState | undefined {
    return this.jobs.get(jobId)?.state;
  }

  start(jobId: string): AbortController {
    const canceller = new AbortController();
    this.jobs.set(jobId, { canceller, state: 'queued' });
    return canceller;
  }

  /** The job got its slot and generates. */
  markRunning(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (job) job.state = 'running';
  }

  /** Keeps a job's final event delivery in view until it settles (it never rejects). */
  reporting(delivery: Promise<void>): void {
    this.reports.add(delivery);
    void delivery.finally(() => this.reports.delete(delivery));
  }

  /** How a job that left lately ended; `undefined` when it is not known here. */
  ended(jobId: string): JobEnding | undefined {
    return this.endings.get(jobId);
  }

  finish(jobId: string, ending: JobEnding): void {
    this.jobs.delete(jobId);
    this.endings.delete(jobId);
    this.endings.set(jobId, ending);
    // Maps iterate in insertion order: the first key is the oldest ending.
    if (this.endings.size > ENDINGS_KEPT) this.endings.delete(this.endings.keys().next().value!);
    if (this.jobs.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Cancels one job; false when no such job is here. */
  cancel(jobId: string, reason: AbortError): boolean {
    const job = this.jobs.get(jobId);
    job?.canceller.abort(reason);
    return job !== undefined;
  }

  /**
   * Stops accepting, lets running jobs finish for up to `graceMs`, then hands the rest back: they end with the
   * retryable `worker_shutting_down` (not `canceled`: nobody asked to cancel them) and no manifest, so the router
   * places them again on another worker, where they start clean. Resolves once every final event is delivered.
   */
  async drain(graceMs: number): Promise<void> {
    this.accepting = false;
    const idle = new Promise<void>((resolve) => {
      if (this.size === 0) resolve();
      else this.idleWaiters.push(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace_over'>((resolve) => {
      timer = setTimeout(() => resolve('grace_over'), graceMs);
    });
    const outcome = await Promise.race([idle, graceOver]);
    clearTimeout(timer);
    if (outcome === 'grace_over') {
      for (const jobId of [...this.jobs.keys()]) {
        const message = `job ${jobId} was handed back unfinished: the worker is shutting down; run it on another worker`;
        this.cancel(jobId, new AbortError(message, WORKER_SHUTTING_DOWN));
      }
      await idle;
    }
    await Promise.all(this.reports);
  }
}
