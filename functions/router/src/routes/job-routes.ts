import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { requireKey } from '../auth/require-key.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { parseBody } from '../http/parse-body.ts';
import { createJob, waitForJob } from '../jobs/create-job.ts';
import { streamJobEvents } from '../jobs/job-events.ts';
import { type JobRecord, TERMINAL_STATUSES } from '../jobs/job-record.ts';
import { jobRequestSchema } from '../jobs/job-request-schema.ts';
import { readJob } from '../jobs/job-run.ts';
import { createStorage } from '../jobs/job-services.ts';
import { jobView } from '../jobs/job-view.ts';

/** The longest `Prefer: wait=N` honoured, seconds. */
const MAX_PREFER_WAIT_SECONDS = 60;

/** `Prefer: wait=N` (RFC 7240 §4.3), capped. */
function preferredWaitSeconds(header: string | undefined): number {
  const match = /(?:^|[,;\s])wait=(\d+)/.exec(header ?? '');
  return match ? Math.min(Number(match[1]), MAX_PREFER_WAIT_SECONDS) : 0;
}

/** The job named in the path, if it is the caller's: another tenant's job answers as one that does not exist. */
async function ownJob(c: Context<AppContext>): Promise<JobRecord> {
  const id = c.req.param('id') ?? '';
  const record = /^job_[0-9a-f]{32}$/.test(id) ? await readJob(c.env, id) : undefined;
  if (!record || record.tenantId !== c.get('caller').tenantId) {
    throw new ApiError(404, 'job_not_found', `no job ${id.slice(0, 64)} for this key`, { param: 'id' });
  }
  return record;
}

export const jobRoutes = new Hono<AppContext>()
  .post('/', requireKey('generate'), async (c) => {
    const request = await parseBody(c, jobRequestSchema);
    const created = await createJob(c.env, c.get('caller').tenantId, request);
    const waitSeconds = preferredWaitSeconds(c.req.header('prefer'));
    const current = await waitForJob(c.env, created, waitSeconds);
    c.header('location', `/v1/jobs/${created.id}`);
    if (waitSeconds > 0) c.header('preference-applied', `wait=${waitSeconds}`);
    const done = TERMINAL_STATUSES.includes(current.status);
    return c.json(await jobView(current, createStorage(c.env)), done ? 200 : 202);
  })
  .get('/:id', requireKey('read'), async (c) => {
    return c.json(await jobView(await ownJob(c), createStorage(c.env)));
  })
  .post('/:id/cancel', requireKey('generate'), async (c) => {
    const record = await ownJob(c);
    const after = (await c.env.JOB_RUNS.get(c.env.JOB_RUNS.idFromName(record.id)).cancel()) as JobRecord | undefined;
    return c.json(await jobView(after ?? record, createStorage(c.env)));
  })
  .get('/:id/events', requireKey('read'), async (c) => {
    const record = await ownJob(c);
    return streamSSE(c, (stream) => streamJobEvents(c.env, record, stream, createStorage(c.env)));
  });
