import { readDurableObjectCall } from '../../../packages/cli/src/local-stack/durable-object-call-log.ts';

/** The router's `job_ended` line, logged once a job's credits have moved and its record is final (jobs/job-run.ts). */
const JOB_ENDED = /\bjob_ended\b/;

/**
 * What the stack's log tells a load run: Durable Object invocations by class (the tail Worker's lines,
 * durable-object-call-log.ts), and how many jobs have ended.
 */
export class StackLogCounter {
  private readonly calls = new Map<string, number>();
  /** Jobs the router has ended (credits captured or released). */
  jobsEnded = 0;

  /** Give it every line of the stack's log. */
  readonly onLine = (line: string): void => {
    const call = readDurableObjectCall(line);
    if (call) this.calls.set(call.className, (this.calls.get(call.className) ?? 0) + 1);
    else if (JOB_ENDED.test(line)) this.jobsEnded++;
  };

  snapshot(): Map<string, number> {
    return new Map(this.calls);
  }

  /** Calls per class since `before`. */
  since(before: Map<string, number>): Map<string, number> {
    const counted = new Map<string, number>();
    for (const [className, calls] of this.calls) {
      const added = calls - (before.get(className) ?? 0);
      if (added > 0) counted.set(className, added);
    }
    return counted;
  }

  /** Resolves once no call has been counted for `quietMs` (the tail Worker reports a call after it ends). */
  async settled(quietMs = 300, limitMs = 10_000): Promise<void> {
    const total = () => [...this.calls.values()].reduce((sum, calls) => sum + calls, 0);
    const deadline = Date.now() + limitMs;
    for (let last = -1; total() !== last && Date.now() < deadline; ) {
      last = total();
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
  }
}
