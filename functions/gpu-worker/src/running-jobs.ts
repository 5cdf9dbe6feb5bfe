import { AbortError } from '@stipple/core';

/**
 * The jobs in this worker (queued or generating), each with the controller that cancels it: for `DELETE /v1/jobs/:id`,
 * and for draining on SIGTERM.
 */
export class RunningJobs {
  private readonly cancellers = new Map<string, AbortController>();
  private readonly idleWaiters: (() => void)[] = [];
  /** False once draining has begun: new jobs are refused. */
  accepting = true;

  get size(): number {
    return this.cancellers.size;
  }

  start(jobId: string): AbortController {
    const canceller = new AbortController();
    this.cancellers.set(jobId, canceller);
    return canceller;
  }

  finish(jobId: string): void {
    this.cancellers.delete(jobId);
    if (this.cancellers.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Cancels one job; false when no such job is here. */
  cancel(jobId: string, reason: AbortError): boolean {
    const canceller = this.cancellers.get(jobId);
    canceller?.abort(reason);
    return canceller !== undefined;
  }

  /**
   * Stops accepting, lets running jobs finish for up to `graceMs`, then cancels the rest (they end `aborted`, with no
   * manifest, so their retries start clean) and waits for them to settle.
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
    if (outcome !== 'grace_over') return;
    for (const jobId of [...this.cancellers.keys()]) {
      this.cancel(jobId, new AbortError(`job ${jobId} was cancelled: the worker is shutting down`));
    }
    await idle;
  }
}
