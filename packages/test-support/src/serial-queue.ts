/**
 * Tasks run one at a time in arrival order, as an asynchronous SageMaker endpoint with one instance takes requests
 * from its queue; `pause` holds them (an endpoint scaled to zero) until `resume`.
 */
export class SerialQueue {
  /** Failures of tasks, kept for tests to assert there were none. */
  readonly errors: Error[] = [];
  private readonly tasks: (() => Promise<void>)[] = [];
  private paused = false;
  private running = false;
  private idleWaiters: (() => void)[] = [];

  push(task: () => Promise<void>): void {
    this.tasks.push(task);
    void this.drain();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    void this.drain();
  }

  /** Resolves once no task is waiting or running. */
  idle(): Promise<void> {
    if (this.tasks.length === 0 && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forgets whoever waits for idleness (on shutdown). */
  clear(): void {
    this.idleWaiters = [];
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (!this.paused && this.tasks.length > 0) {
      await this.tasks.shift()!().catch((error: Error) => this.errors.push(error));
    }
    this.running = false;
    if (this.tasks.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
