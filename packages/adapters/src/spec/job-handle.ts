import { type Job, manifestKey } from '@stipple/jobs';
import type { ProviderJobHandle } from './image-provider-v1.ts';

/**
 * The handle of `job` at provider `providerId`, before any provider-specific facts are added: enough to ask where the
 * job stands, since its manifest's place follows from the job alone.
 */
export function jobHandle(providerId: string, job: Pick<Job, 'jobId' | 'tenantId' | 'output'>): ProviderJobHandle {
  return {
    providerId,
    jobId: job.jobId,
    tenantId: job.tenantId,
    manifest: { bucket: job.output.bucket, key: manifestKey(job) },
  };
}
