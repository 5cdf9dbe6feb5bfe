import { Hono } from 'hono';
import { requireKey } from '../auth/require-key.ts';
import { priceJob } from '../billing/price-table.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { parseBody } from '../http/parse-body.ts';
import type { JobRecord } from '../jobs/job-record.ts';
import { TERMINAL_STATUSES } from '../jobs/job-record.ts';
import { jobRequestSchema, MAX_PIXEL_STEPS } from '../jobs/job-request-schema.ts';
import { readJob } from '../jobs/job-run.ts';
import { createStorage } from '../jobs/job-services.ts';
import { jobView } from '../jobs/job-view.ts';
import { findModel, readCatalogue } from '../jobs/model-catalogue.ts';

/** How long a job may take in all before the router gives up on it. */
const JOB_DEADLINE_MS = 10 * 60 * 1000;
/** The longest `Prefer: wait=N` honoured, seconds. */
const MAX_PREFER_WAIT_SECONDS = 60;

function newJobId(): string {
  // 128 random bits: job ids are unguessable, on top of the tenant check on every read.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `job_${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/** `Prefer: wait=N` (RFC 7240 §4.3), capped. */
function preferredWaitSeconds(header: string | undefined): number {
  const match = /(?:^|[,;\s])wait=(\d+)/.exec(header ?? '');
  return match ? Math.min(Number(match[1]), MAX_PREFER_WAIT_SECONDS) : 0;
}

export const jobRoutes = new Hono<AppContext>()
  .post('/', requireKey('generate'), async (c) => {
    const request = await parseBody(c, jobRequestSchema);
    const model = findModel(readCatalogue(c.env.MODELS), request.model);
    const width = request.width ?? model.width;
    const height = request.height ?? model.height;
    const steps = request.steps ?? model.steps;
    if (width * height * steps * request.n > MAX_PIXEL_STEPS) {
      throw new ApiError(
        400,
        'job_too_large',
        `width × height × steps × n is ${width * height * steps * request.n}; keep it within ${MAX_PIXEL_STEPS}`,
      );
    }
    const { tenantId } = c.get('caller');
    const id = newJobId();
    const usage = priceJob({ width, height, steps, n: request.n });
    const account = c.env.TENANT_ACCOUNTS.get(c.env.TENANT_ACCOUNTS.idFromName(tenantId));
    const reserved = await account.reserve(id, usage);
    if (!reserved.ok) {
      throw new ApiError(
        402,
        'insufficient_credits',
        `this job costs ${reserved.needed} credits and ${reserved.balance} remain; add credits or ask for fewer, smaller images`,
      );
    }
    const createdAt = new Date();
    const record: JobRecord = {
      id,
      tenantId,
      status: 'queued',
      usage,
      urlTtlSeconds: request.url_ttl_seconds,
      createdAt: createdAt.toISOString(),
      job: {
        jobId: id,
        tenantId,
        modelId: model.id,
        parameters: {
          prompt: request.prompt,
          negativePrompt: request.negative_prompt,
          width,
          height,
          steps,
          guidance: request.guidance,
          scheduler: request.scheduler,
          seed: request.seed,
          n: request.n,
        },
        // The storage prefix comes from the authenticated tenant only (the worker writes under {prefix}/{tenant}/{job}).
        output: { bucket: c.env.S3_BUCKET, keyPrefix: c.env.S3_KEY_PREFIX ?? 'outputs', format: request.output_format },
        deadline: new Date(createdAt.getTime() + JOB_DEADLINE_MS).toISOString(),
      },
    };
    const run = c.env.JOB_RUNS.get(c.env.JOB_RUNS.idFromName(id));
    await run.start(record);
    let current: JobRecord = record;
    const waitSeconds = preferredWaitSeconds(c.req.header('prefer'));
    const waitUntil = Date.now() + waitSeconds * 1000;
    while (!TERMINAL_STATUSES.includes(current.status) && Date.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      current = (await readJob(c.env, id)) ?? current;
    }
    c.header('location', `/v1/jobs/${id}`);
    if (waitSeconds > 0) c.header('preference-applied', `wait=${waitSeconds}`);
    const done = TERMINAL_STATUSES.includes(current.status);
    return c.json(await jobView(current, createStorage(c.env)), done ? 200 : 202);
  })
  .get('/:id', requireKey('read'), async (c) => {
    const id = c.req.param('id');
    const record = /^job_[0-9a-f]{32}$/.test(id) ? await readJob(c.env, id) : undefined;
    // Another tenant's job answers exactly as a job that does not exist.
    if (!record || record.tenantId !== c.get('caller').tenantId) {
      throw new ApiError(404, 'job_not_found', `no job ${id.slice(0, 64)} for this key`, { param: 'id' });
    }
    return c.json(await jobView(record, createStorage(c.env)));
  });
