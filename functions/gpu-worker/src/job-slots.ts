/**
 * A concurrency limit with a bounded queue: at most `concurrency` jobs run, at most `queueLimit` wait, and the rest are
 * turned away at once (the worker answers 429 with `Retry-After`) rather than piling up behind a GPU.
 */
export class JobSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Exponentially weighted mean job duration in ms, for `Retry-After`. */
  private meanJobMs = 5_000;

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  /** Whether a job acquired now runs at once (a slot is free), rather than waiting in the queue. */
  get free(): boolean {
    return this.running < this.concurrency;
  }

  /** A release function once a slot is free, or `undefined` at once when the queue is full. */
  acquire(): Promise<() => void> | undefined {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.queueLimit) return undefined;
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  /** Seconds until a slot is likely free: the queue ahead, served at the mean job time. */
  retryAfterSeconds(): number {
    const ahead = this.waiting.length + this.running;
    return Math.max(1, Math.ceil(((ahead / this.concurrency) * this.meanJobMs) / 1000));
  }

  private releaser(): () => void {
    const started = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.meanJobMs = 0.8 * this.meanJobMs + 0.2 * (performance.now() - started);
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }
}
