import {
  AbortError,
  type GenerateOptions,
  type GenerationOutcome,
  type GenerationRequest,
  type GenerationResult,
  generateBatch,
  generationBatchKey,
  type StableDiffusionModel,
} from '@stipple/core';

export interface BatcherOptions {
  /** Images per denoising batch (a job's `n` images count in full); 1 turns batching off. */
  maxBatchImages: number;
  /** How long the oldest waiting job may wait for companions before its batch starts anyway. */
  windowMs: number;
  /**
   * How many jobs the worker holds now (admitted, checking for a manifest, queued here, uploading). With the size of
   * the last batch, it tells how many companions to expect: a lone client's job never waits for nobody, and the
   * clients of a batch that is uploading get the window to send their next jobs. Default: expect companions always.
   */
  jobsInWorker?: () => number;
  /** Runs one batch; tests may count or delay the calls. */
  generateBatch?: typeof generateBatch;
  log?: (entry: Record<string, unknown>) => void;
}

/** However steadily companions trickle in, the first job of a batch waits at most this many windows. */
const MAX_WAIT_WINDOWS = 4;

interface Pending {
  model: StableDiffusionModel;
  key: string;
  images: number;
  arrivedAt: number;
  request: GenerationRequest;
  options: GenerateOptions & { jobId?: string };
  settle: (outcome: GenerationOutcome) => void;
  /** Takes the job out of the queue when its signal aborts; detached once the job is in a batch. */
  onAbort: () => void;
}

/**
 * Dynamic batching: jobs that can share a UNet call (same model, size, steps, scheduler, guidance layout) are denoised
 * together, one batch at a time, as an inference server does on one GPU. The next batch starts when it is full, when no
 * other job is expected (fewer jobs than the last batch had or than the worker holds), when no job has arrived for
 * `windowMs` (counting the end of the previous batch as an arrival: its jobs are uploading, and their clients tend to
 * send the next ones right after), or when its first job has waited `MAX_WAIT_WINDOWS` windows. It takes the oldest job
 * and every compatible job queued behind it, oldest first, up to `maxBatchImages`. Each job keeps its own seed,
 * progress, previews and cancellation (a job canceled while queued leaves the queue at once).
 */
export class GenerationBatcher {
  private readonly queue: Pending[] = [];
  private running = false;
  /** When the last batch ended: its jobs are uploading, and their clients tend to send the next jobs right after. */
  private idleSince = Number.NEGATIVE_INFINITY;
  private lastBatchJobs = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly runBatch: typeof generateBatch;
  private readonly log: (entry: Record<string, unknown>) => void;

  constructor(private readonly options: BatcherOptions) {
    this.runBatch = options.generateBatch ?? generateBatch;
    this.log = options.log ?? (() => {});
  }

  /** Jobs waiting for a batch (not counting the one running). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Generates one request, in a batch with whatever compatible jobs are waiting. Invalid requests reject at once. */
  generate(
    model: StableDiffusionModel,
    request: GenerationRequest,
    options: GenerateOptions & { jobId?: string } = {},
  ): Promise<GenerationResult> {
    const { signal } = options;
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        model,
        // Throws a ValidationError for a bad request, which rejects this promise before the job is queued.
        key: generationBatchKey(model, request),
        images: request.n ?? 1,
        arrivedAt: performance.now(),
        request,
        options,
        settle: (outcome) => (outcome.ok ? resolve(outcome.result) : reject(outcome.error)),
        onAbort: () => {
          this.queue.splice(this.queue.indexOf(pending), 1);
          reject(signal?.reason instanceof AbortError ? signal.reason : new AbortError());
        },
      };
      if (signal?.aborted) return pending.onAbort();
      signal?.addEventListener('abort', pending.onAbort, { once: true });
      this.queue.push(pending);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    const batch = this.nextBatch();
    const images = batch.reduce((sum, pending) => sum + pending.images, 0);
    const { windowMs } = this.options;
    const now = performance.now();
    const waitingSince = Math.max(this.queue[0].arrivedAt, this.idleSince);
    const lastArrival = Math.max(this.queue.at(-1)!.arrivedAt, this.idleSince);
    const expected = Math.max(this.lastBatchJobs, this.options.jobsInWorker?.() ?? Number.POSITIVE_INFINITY);
    const moreMayCome = this.queue.length < expected;
    const quiet = now - lastArrival >= windowMs;
    const waitedLongest = now - waitingSince >= MAX_WAIT_WINDOWS * windowMs;
    if (images < this.options.maxBatchImages && moreMayCome && !quiet && !waitedLongest) {
      clearTimeout(this.timer);
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.schedule();
        },
        Math.min(lastArrival + windowMs, waitingSince + MAX_WAIT_WINDOWS * windowMs) - now,
      );
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const pending of batch) {
      this.queue.splice(this.queue.indexOf(pending), 1);
      pending.options.signal?.removeEventListener('abort', pending.onAbort);
    }
    this.running = true;
    this.lastBatchJobs = batch.length;
    void this.run(batch).finally(() => {
      this.running = false;
      this.idleSince = performance.now();
      this.schedule();
    });
  }

  /** The oldest job and the compatible jobs behind it, oldest first, within the image budget. */
  private nextBatch(): Pending[] {
    const [oldest] = this.queue;
    const batch = [oldest];
    let images = oldest.images;
    for (const pending of this.queue.slice(1)) {
      if (pending.model !== oldest.model || pending.key !== oldest.key) continue;
      if (images + pending.images > this.options.maxBatchImages) continue;
      batch.push(pending);
      images += pending.images;
    }
    return batch;
  }

  private async run(batch: Pending[]): Promise<void> {
    const started = performance.now();
    const jobIds = batch.map((pending) => pending.options.jobId);
    this.log({ level: 'info', event: 'batch_started', jobIds, images: batch.reduce((n, p) => n + p.images, 0) });
    let outcomes: GenerationOutcome[];
    try {
      outcomes = await this.runBatch(
        batch[0].model,
        batch.map(({ request, options }) => ({ ...options, request })),
      );
    } catch (error) {
      outcomes = batch.map(() => ({ ok: false, error }));
    }
    this.log({ level: 'info', event: 'batch_finished', jobIds, ms: Math.round(performance.now() - started) });
    batch.forEach((pending, i) => {
      pending.settle(outcomes[i]);
    });
  }
}
