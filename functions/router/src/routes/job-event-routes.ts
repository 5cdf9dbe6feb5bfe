import { jobEventSchema, verifyRequest } from '@stipple/jobs';
import { Hono } from 'hono';
import { jobRun } from '../durable-objects.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { callbackToken } from '../jobs/job-callback.ts';

/**
 * `POST /internal/jobs/:id/events`: a gpu-worker reports one of a job's events (`@stipple/jobs` `jobEventSchema`),
 * signed with the job's callback token. The event goes to the job's `JobRun`, which wakes whoever waits on the job.
 * Not part of the public API: only a worker holding the job's token can call it.
 */
export const jobEventRoutes = new Hono<AppContext>().post('/jobs/:id/events', async (c) => {
  const id = c.req.param('id');
  const body = await c.req.text();
  const url = new URL(c.req.url);
  const verdict = /^job_[0-9a-f]{32}$/.test(id)
    ? await verifyRequest({
        secret: await callbackToken(c.env.WORKER_SECRET, id),
        method: 'POST',
        // The path with its query: a signed path with `?anything` added is another request.
        path: `${url.pathname}${url.search}`,
        body,
        headers: c.req.raw.headers,
      })
    : ({ ok: false, reason: 'missing' } as const);
  if (!verdict.ok) {
    throw new ApiError(
      401,
      'invalid_signature',
      `the event's signature is ${verdict.reason}; sign it with the job's token`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the event is not JSON');
  }
  const parsed = jobEventSchema.safeParse(json);
  if (!parsed.success || parsed.data.jobId !== id) {
    const problem = parsed.success ? `jobId ${parsed.data.jobId} is not ${id}` : parsed.error.issues[0]?.message;
    throw new ApiError(400, 'invalid_event', `the event is not a job event of ${id}: ${problem}`);
  }
  await jobRun(c.env, id).report(parsed.data);
  return c.body(null, 204);
});
