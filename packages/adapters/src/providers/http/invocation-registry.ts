import type { Job } from '@stipple/jobs';
import type { WorkerInvocation } from './worker-invocation.ts';

/** Finished invocations kept in memory for `status` and `result`; older ones are answered from storage. */
const MAX_FINISHED_INVOCATIONS = 1_000;

/** The invocations an `http` provider has sent, by tenant and job, the oldest finished ones forgotten first. */
export class InvocationRegistry {
  private readonly byJob = new Map<string, WorkerInvocation>();

  get(job: Pick<Job, 'tenantId' | 'jobId'>): WorkerInvocation | undefined {
    return this.byJob.get(key(job));
  }

  add(job: Pick<Job, 'tenantId' | 'jobId'>, invocation: WorkerInvocation): void {
    this.byJob.delete(key(job));
    this.byJob.set(key(job), invocation);
    if (this.byJob.size <= MAX_FINISHED_INVOCATIONS) return;
    // Maps iterate in insertion order: the first finished one is the oldest.
    for (const [oldKey, old] of this.byJob) {
      if (old.terminal) {
        this.byJob.delete(oldKey);
        return;
      }
    }
  }

  delete(job: Pick<Job, 'tenantId' | 'jobId'>): void {
    this.byJob.delete(key(job));
  }
}

function key(job: Pick<Job, 'tenantId' | 'jobId'>): string {
  return `${job.tenantId}/${job.jobId}`;
}
