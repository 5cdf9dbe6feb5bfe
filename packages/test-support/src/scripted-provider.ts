/**
 * An `ImageProviderV1` whose submissions follow a script, for the pool's own logic (ordering, breakers, backoff,
 * failover) where a real provider cannot be made to fail on cue. The providers themselves are tested against real
 * servers (test/adapters).
 */
import {
  type Clock,
  type ImageProviderV1,
  jobHandle,
  ProviderError,
  type ProviderErrorCode,
  type SubmitOptions,
  type SubmitResult,
} from '@stipple/adapters';

/** What one submission does: accept the job, fail, or hang until its signal aborts. */
export type Step = 'accept' | 'hang' | { fail: ProviderErrorCode; neverStarted: boolean; retryAfterMs?: number };

export class ScriptedProvider implements ImageProviderV1 {
  readonly specificationVersion = 'v1';
  readonly provider = 'scripted';
  /** When each submission arrived (the clock's ms) and for which job. */
  readonly calls: { jobId: string; at: number }[] = [];
  healthy = true;

  constructor(
    readonly id: string,
    private readonly script: Step[],
    private readonly clock: Clock,
  ) {}

  async submit({ job, abortSignal }: SubmitOptions): Promise<SubmitResult> {
    this.calls.push({ jobId: job.jobId, at: this.clock.now() });
    const step = this.script.shift() ?? 'accept';
    if (step === 'accept') return { handle: jobHandle(this.id, job), state: 'queued', warnings: [] };
    if (step === 'hang') {
      return new Promise((_, reject) => {
        abortSignal?.addEventListener('abort', () =>
          reject(this.error('call_aborted', false, undefined, 'the call was aborted')),
        );
      });
    }
    throw this.error(step.fail, step.neverStarted, step.retryAfterMs, 'as scripted');
  }

  async status() {
    return { state: 'queued' as const };
  }

  async result() {
    return undefined;
  }

  async cancel() {
    return { canceled: false, warnings: [] };
  }

  async health() {
    return { healthy: this.healthy, detail: this.healthy ? 'ready' : 'down' };
  }

  async capabilities() {
    return { models: ['tiny-shapes'], maxBatch: 1, sync: false, async: true, cancel: false, progress: false };
  }

  private error(code: ProviderErrorCode, neverStarted: boolean, retryAfterMs: number | undefined, message: string) {
    const retryable = code !== 'invalid_job';
    return new ProviderError({ providerId: this.id, code, message, retryable, neverStarted, retryAfterMs });
  }
}
