import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { bearerToken } from '../auth/bearer-token.ts';
import { authenticate } from '../auth/require-key.ts';
import { jobRun, tenantAccount } from '../durable-objects.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { idempotent } from '../http/idempotency.ts';
import { parseBody } from '../http/parse-body.ts';
import { waitForJob } from '../jobs/create-job.ts';
import { callerListScope, canSeeJob } from '../jobs/job-access.ts';
import { streamJobEvents } from '../jobs/job-events.ts';
import { type JobRecord, TERMINAL_STATUSES } from '../jobs/job-record.ts';
import { jobRequestSchema } from '../jobs/job-request-schema.ts';
import { readJob } from '../jobs/job-run.ts';
import { createStorage } from '../jobs/job-services.ts';
import { jobView } from '../jobs/job-view.ts';
import { apiKeyAuth, jsonBody, responses } from '../openapi/operation-parts.ts';
import { createJobOnce } from './create-job-once.ts';

/** The longest `Prefer: wait=N` honoured, seconds. */
const MAX_PREFER_WAIT_SECONDS = 60;

/** `Prefer: wait=N` (RFC 7240 §4.3), capped. */
function preferredWaitSeconds(header: string | undefined): number {
  const match = /(?:^|[,;\s])wait=(\d+)/.exec(header ?? '');
  return match ? Math.min(Number(match[1]), MAX_PREFER_WAIT_SECONDS) : 0;
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** An opaque page cursor: the last job's creation time and id. */
function writeCursor(record: JobRecord): string {
  return btoa(`${record.createdAt}|${record.id}`).replaceAll('=', '');
}

function readCursor(cursor: string | undefined): { createdAt: string; jobId: string } | undefined {
  if (cursor === undefined) return undefined;
  let decoded = '';
  try {
    decoded = atob(cursor);
  } catch {
    // Falls through to the error below.
  }
  const [createdAt, jobId] = decoded.split('|');
  if (!jobId || Number.isNaN(Date.parse(createdAt))) {
    throw new ApiError(
      400,
      'invalid_cursor',
      'after is not a cursor this API gave out; pass next_cursor back as it was',
      {
        param: 'after',
      },
    );
  }
  return { createdAt, jobId };
}

/** The job named in the path, if the caller may see it (jobs/job-access.ts); any other answers as a missing one. */
async function ownJob(c: Context<AppContext>): Promise<JobRecord> {
  const id = c.req.param('id') ?? '';
  const record = /^job_[0-9a-f]{32}$/.test(id) ? await readJob(c.env, id) : undefined;
  if (!record || !canSeeJob(c.get('caller'), record)) {
    throw new ApiError(404, 'job_not_found', `no job ${id.slice(0, 64)} for this key`, { param: 'id' });
  }
  return record;
}

const jobPath = { params: z.object({ id: z.string().meta({ description: 'A job id from POST /v1/jobs.' }) }) };

const createJobRoute = createRoute({
  method: 'post',
  path: '/',
  summary: 'Create a job. 202 with Location; with `Prefer: wait=N` (≤ 60) the finished job when it ends in time.',
  ...apiKeyAuth('generate', idempotent()),
  request: { body: jsonBody(jobRequestSchema) },
  responses: responses({ 200: 'The finished job', 202: 'The job, queued', 402: 'Not enough credits' }),
});

const listJobsRoute = createRoute({
  method: 'get',
  path: '/',
  summary: "This key's jobs, newest first (`limit` ≤ 100, `after` = the previous page's `next_cursor`).",
  ...apiKeyAuth('read'),
  responses: responses({ 200: '`{ object: "list", data, has_more, next_cursor }`' }),
});

const getJobRoute = createRoute({
  method: 'get',
  path: '/{id}',
  summary:
    'A job: status, progress, the values it ran with (`input`), outputs with fresh presigned URLs, seeds, the engine records (snake_case), usage.',
  ...apiKeyAuth('read'),
  request: jobPath,
  responses: responses({ 200: 'The job', 404: 'No such job for this key' }),
});

const cancelJobRoute = createRoute({
  method: 'post',
  path: '/{id}/cancel',
  summary: 'Cancel a job; it stops within a denoising step and its credits are released.',
  ...apiKeyAuth('generate', idempotent()),
  request: jobPath,
  responses: responses({ 200: 'The job', 404: 'No such job for this key' }),
});

const jobEventsRoute = createRoute({
  method: 'get',
  path: '/{id}/events',
  summary: 'Server-Sent Events: `progress`, `preview`, then the final state (`succeeded`, `failed`, …) with the job.',
  ...apiKeyAuth('read'),
  request: jobPath,
  responses: responses({ 200: 'text/event-stream', 404: 'No such job for this key' }),
});

export const jobRoutes = new OpenAPIHono<AppContext>()
  .openapi(createJobRoute, async (c) => {
    const request = await parseBody(c, jobRequestSchema);
    const created = await createJobOnce(c, request);
    const waitSeconds = preferredWaitSeconds(c.req.header('prefer'));
    const current = await waitForJob(c.env, created, waitSeconds);
    c.header('location', `/v1/jobs/${created.id}`);
    if (waitSeconds > 0) c.header('preference-applied', `wait=${waitSeconds}`);
    const done = TERMINAL_STATUSES.includes(current.status);
    return c.json(await jobView(current, createStorage(c.env)), done ? 200 : 202);
  })
  .openapi(listJobsRoute, async (c) => {
    const limit = Number(c.req.query('limit') ?? DEFAULT_PAGE_SIZE);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new ApiError(400, 'invalid_limit', `limit ${c.req.query('limit')} is not allowed; use 1–${MAX_PAGE_SIZE}`, {
        param: 'limit',
      });
    }
    const before = readCursor(c.req.query('after'));
    const caller = c.get('caller');
    const account = tenantAccount(c.env, caller.tenantId);
    const page = await account.listJobs(callerListScope(caller), limit, before);
    const records = (await Promise.all(page.jobIds.map((id) => readJob(c.env, id)))).filter((r) => r !== undefined);
    const storage = createStorage(c.env);
    const last = records.at(-1);
    return c.json({
      object: 'list',
      data: await Promise.all(records.map((record) => jobView(record, storage))),
      has_more: page.hasMore,
      next_cursor: page.hasMore && last ? writeCursor(last) : null,
    });
  })
  .openapi(getJobRoute, async (c) => {
    return c.json(await jobView(await ownJob(c), createStorage(c.env)));
  })
  .openapi(cancelJobRoute, async (c) => {
    const record = await ownJob(c);
    const after = (await jobRun(c.env, record.id).cancel()) as JobRecord | undefined;
    return c.json(await jobView(after ?? record, createStorage(c.env)));
  })
  .openapi(jobEventsRoute, async (c) => {
    const record = await ownJob(c);
    const token = bearerToken(c.req.header('authorization')) ?? '';
    // Asked of the directory itself: a stream outlives the key cache, and must end when its key is revoked.
    const stillAuthorized = () =>
      authenticate(c.env, token, { fresh: true }).then(
        () => true,
        () => false,
      );
    return streamSSE(c, (stream) => streamJobEvents(c.env, record, stream, createStorage(c.env), stillAuthorized));
  });
