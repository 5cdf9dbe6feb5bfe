import type { Context } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { createJob } from '../jobs/create-job.ts';
import type { JobRecord } from '../jobs/job-record.ts';
import type { JobRequest } from '../jobs/job-request-schema.ts';
import { readJob } from '../jobs/job-run.ts';

/**
 * The job a request makes, once per `Idempotency-Key`: the job an earlier attempt with the key created (its answer
 * was a 5xx such as `generation_pending`, or it never came), else a new one, bound to the key as soon as it exists.
 * Without the header, simply a new job. `sizeParam`: as `createJob`'s.
 */
export async function createJobOnce(
  c: Context<AppContext>,
  request: JobRequest,
  sizeParam?: string,
): Promise<JobRecord> {
  const idempotency = c.get('idempotency');
  const earlier = idempotency?.boundTo === undefined ? undefined : await readJob(c.env, idempotency.boundTo);
  if (earlier) return earlier;
  // Bound as the job is started, not after: the key names it by the time the answer can exist.
  return createJob(c.env, c.get('caller'), request, c.req.url, sizeParam, idempotency?.bind);
}
