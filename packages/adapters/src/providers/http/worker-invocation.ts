import { type ResultManifest, resultManifestSchema } from '@stipple/jobs';
import type { ProviderError } from '../../errors/provider-error.ts';
import type { JobFailure, JobProgress, JobStatus } from '../../spec/image-provider-v1.ts';
import { readServerSentEvents } from '../worker-protocol/server-sent-events.ts';
import { jobFailure, type WorkerErrorBody } from '../worker-protocol/worker-error.ts';

/** What became of an invocation's request before its events began. */
export type InvocationHead =
  /** The worker answered 200 and streams events: the job has a slot and runs. */
  | { kind: 'started' }
  /** The worker answered with an error before starting, or the request failed. */
  | { kind: 'failed'; error: ProviderError };

/**
 * One `POST /invocations` with `Accept: text/event-stream`, followed to its end. The worker answers only once the job
 * has a slot, streams a `progress` event per step, then `result` (the manifest) or `error`; any answer other than 200
 * comes before the job starts. The invocation keeps what it has seen so `status` and `result` can answer from memory.
 */
export class WorkerInvocation {
  private current: JobStatus = { state: 'queued' };
  private manifestSeen: ResultManifest | undefined;
  /** Aborting it drops the connection, which the worker takes as a cancellation. */
  readonly controller = new AbortController();
  /** Settles once the response head (or a failure instead of one) is known. */
  readonly head: Promise<InvocationHead>;
  private resolveHead!: (head: InvocationHead) => void;
  /** Whether `head` has settled. */
  headKnown = false;

  constructor() {
    this.head = new Promise((resolve) => {
      this.resolveHead = (head) => {
        this.headKnown = true;
        resolve(head);
      };
    });
  }

  get status(): JobStatus {
    return this.current;
  }

  get manifest(): ResultManifest | undefined {
    return this.manifestSeen;
  }

  get terminal(): boolean {
    return ['succeeded', 'failed', 'cancelled', 'unknown'].includes(this.current.state);
  }

  /** The request failed before the job started: the head carries the error; the job's state is `failed`. */
  refused(error: ProviderError, failure: JobFailure): void {
    this.current = { state: 'failed', failure };
    this.resolveHead({ kind: 'failed', error });
  }

  /** The connection broke with no answer: whether the job started is not known. */
  lost(error: ProviderError): void {
    this.current = { state: 'unknown' };
    this.resolveHead({ kind: 'failed', error });
  }

  /** Follows the event stream of a started job until its terminal event. */
  async follow(body: ReadableStream<Uint8Array>): Promise<void> {
    this.current = { state: 'running' };
    this.resolveHead({ kind: 'started' });
    try {
      for await (const { event, data } of readServerSentEvents(body)) {
        if (event === 'progress') {
          const { step, totalSteps, etaMs, preview } = JSON.parse(data) as JobProgress;
          // Previews come every k-th step; the latest stays until the next.
          const latest = preview ?? this.current.progress?.preview;
          this.current = {
            state: 'running',
            progress: { step, totalSteps, etaMs, ...(latest && { preview: latest }) },
          };
        } else if (event === 'result') {
          this.manifestSeen = resultManifestSchema.parse(JSON.parse(data));
          this.current = { state: 'succeeded' };
        } else if (event === 'error') {
          const { error } = JSON.parse(data) as { error: WorkerErrorBody };
          this.current =
            error.code === 'aborted' ? { state: 'cancelled' } : { state: 'failed', failure: jobFailure(error) };
        }
      }
    } catch {
      // The stream broke (the worker died, the connection dropped): the outcome is decided below.
    }
    // A stream that ended without a terminal event leaves the job's outcome to its manifest (status() reads it).
    if (!this.terminal) this.current = { state: 'unknown' };
  }
}
