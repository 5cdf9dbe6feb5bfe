import { denoisingSteps } from '@stipple/jobs';
import { priceJob } from '../billing/price-table.ts';
import { jobRun, tenantAccount } from '../durable-objects.ts';
import type { Env } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';
import { isObjectOverloaded } from '../http/object-overloaded.ts';
import { resolveInputImages } from '../inputs/resolve-input-images.ts';
import { randomHex } from '../keys/random-hex.ts';
import { readRouterConfig } from '../router-config.ts';
import { endUserBlockedError } from '../safety/end-user-blocked-error.ts';
import { screenPrompt } from '../safety/screen-prompt.ts';
import type { KeyRecord } from '../tenancy/key-directory.ts';
import { JOB_WEBHOOK_EVENTS } from '../webhooks/job-webhook-events.ts';
import { checkWebhookUrl } from '../webhooks/webhook-url-guard.ts';
import { webhookUrlPolicy } from '../webhooks/webhook-url-policy.ts';
import { imageSettings } from './image-settings.ts';
import { jobListScopes } from './job-access.ts';
import { jobCallback } from './job-callback.ts';
import type { JobRecord } from './job-record.ts';
import { TERMINAL_STATUSES } from './job-record.ts';
import { type JobRequest, MAX_PIXEL_STEPS } from './job-request-schema.ts';
import { readJob } from './job-run.ts';
import { checkModelSize, findModel } from './model-catalogue.ts';

function newJobId(): string {
  // 128 random bits: job ids are unguessable, on top of the tenant check on every read.
  return `job_${randomHex(16)}`;
}

/**
 * Creates a job for a tenant: model defaults, the sizes the model draws (`sizeParam` names the request's size field in
 * the error, as checkModelSize says), the compute cap, its input images stored and digested, the price of the steps
 * that will run reserved (402 when the balance is short; 403 for an end user blocked by the tenant's policy), its
 * prompt moderated under the policy the reservation answers with (`safety/screen-prompt.ts`), and its `JobRun` started
 * with the policy's image mode. Every API that generates (jobs, OpenAI's images) comes through here. `bind`: ties the
 * new job to the request's Idempotency-Key, at the same time as the job's object takes it.
 */
export async function createJob(
  env: Env,
  caller: KeyRecord,
  request: JobRequest,
  requestUrl: string,
  sizeParam?: string,
  bind?: (jobId: string) => Promise<void>,
): Promise<JobRecord> {
  const { tenantId } = caller;
  const config = readRouterConfig(env);
  const model = findModel(config.models, request.model);
  // Read before anything is reserved: a bad moderation setting fails here, holding nothing.
  const { moderation } = config;
  const width = request.width ?? model.width;
  const height = request.height ?? model.height;
  const steps = request.steps ?? model.steps;
  checkModelSize(model, width, height, sizeParam);
  const settings = imageSettings(request);
  // Image-to-image runs part of the schedule: the cap and the price count the steps that run.
  const stepsRun = denoisingSteps(steps, settings.strength);
  if (width * height * stepsRun * request.n > MAX_PIXEL_STEPS) {
    throw new ApiError(
      400,
      'job_too_large',
      `width × height × steps × n is ${width * height * stepsRun * request.n}; keep it within ${MAX_PIXEL_STEPS}`,
    );
  }
  if (request.start_timeout_seconds !== undefined && request.start_timeout_seconds > request.timeout_seconds) {
    throw new ApiError(
      400,
      'invalid_request',
      `start_timeout_seconds (${request.start_timeout_seconds}) must not exceed timeout_seconds (${request.timeout_seconds})`,
      { param: 'start_timeout_seconds' },
    );
  }
  if (request.webhook !== undefined) {
    const check = await checkWebhookUrl(request.webhook, webhookUrlPolicy(env));
    if (!check.ok) throw new ApiError(400, 'invalid_webhook', check.reason, { param: 'webhook' });
  }
  const inputs = await resolveInputImages(env, tenantId, { image: request.image, mask: request.mask });
  const id = newJobId();
  const usage = priceJob({ width, height, steps: stepsRun, n: request.n });
  const account = tenantAccount(env, tenantId);
  const createdAt = new Date();
  const reserved = await account.reserve(
    id,
    usage,
    { keyId: caller.keyId, token: caller.clientToken },
    { scopes: jobListScopes(caller), createdAt: createdAt.toISOString() },
  );
  if (!reserved.ok && 'endUserBlocked' in reserved) throw endUserBlockedError(reserved.endUserBlocked);
  if (!reserved.ok && 'tokenCap' in reserved) {
    throw new ApiError(
      402,
      'client_token_credit_cap',
      `this job costs ${reserved.needed} credits and this client token may spend ${reserved.tokenCap - reserved.tokenSpent} more (cap ${reserved.tokenCap})`,
    );
  }
  if (!reserved.ok) {
    throw new ApiError(
      402,
      'insufficient_credits',
      `this job costs ${reserved.needed} credits and ${reserved.balance} remain; add credits or ask for fewer, smaller images`,
    );
  }
  const endUser = caller.clientToken?.endUser;
  const promptFilter = await screenPrompt(env, moderation, {
    job: { id, tenantId, prompt: request.prompt, endUser },
    mode: reserved.policy.prompts,
  });
  const record: JobRecord = {
    id,
    tenantId,
    status: 'queued',
    usage,
    urlTtlSeconds: request.url_ttl_seconds,
    ...(endUser !== undefined && { endUser }),
    ...(caller.clientToken && { clientTokenId: caller.clientToken.id }),
    createdAt: createdAt.toISOString(),
    ...(request.start_timeout_seconds !== undefined && {
      startDeadline: new Date(createdAt.getTime() + request.start_timeout_seconds * 1000).toISOString(),
    }),
    ...(request.webhook !== undefined && {
      webhook: { url: request.webhook, events: request.webhook_events_filter ?? [...JOB_WEBHOOK_EVENTS] },
    }),
    promptFilter,
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
        clipSkip: request.clip_skip,
        ...inputs,
        ...settings,
      },
      // The storage prefix comes from the authenticated tenant only (the worker writes under {prefix}/{tenant}/{job}).
      output: { bucket: env.S3_BUCKET, keyPrefix: env.S3_KEY_PREFIX ?? 'outputs', format: request.output_format },
      // The worker stops at this time (within a denoising step) and writes nothing; JobRun gives up on it too.
      deadline: new Date(createdAt.getTime() + request.timeout_seconds * 1000).toISOString(),
      ...(request.preview_every !== undefined && { previewEvery: request.preview_every }),
      // The tenant's image policy, for the worker's safety checker (docs/SAFETY.md).
      safety: { images: reserved.policy.images },
      // The worker pushes the job's events here (started, each step, the outcome); see routes/job-event-routes.ts.
      progress: await jobCallback(env, requestUrl, id),
    },
  };
  // `bind` (the request's Idempotency-Key, `http/idempotency.ts`) alongside: both are made before the answer.
  await Promise.all([startJobRun(env, record), bind?.(id)]);
  return record;
}

/**
 * Hands the new job to its object. `start` is idempotent, so a failed call is made once more (unless the object was
 * overloaded: it never ran the call); if that fails too, the
 * reservation is released (credits back) and the client gets the error: a job whose object never took it would
 * otherwise hold its credits for good.
 */
async function startJobRun(env: Env, record: JobRecord): Promise<void> {
  let started: 'started' | 'refused';
  try {
    started = await jobRun(env, record.id)
      .start(record)
      .catch((error: unknown) => {
        // An overloaded object never ran the call, and a retry at once only deepens its queue.
        if (isObjectOverloaded(error)) throw error;
        return jobRun(env, record.id).start(record);
      });
  } catch (error) {
    await tenantAccount(env, record.tenantId).release(record.id);
    throw error;
  }
  if (started === 'refused') {
    // Only a request that took longer than ORPHAN_CHECK_AFTER_MS from reserve to here meets this.
    throw new ApiError(
      503,
      'job_not_started',
      `job ${record.id} took too long to start and was given up, its credits released; create it again`,
    );
  }
}

/**
 * The job once it has ended, or as it stands when `seconds` have passed. No polling: the job's object answers as soon
 * as the job changes; a call that fails (the object restarted) is simply made again.
 */
export async function waitForJob(env: Env, record: JobRecord, seconds: number): Promise<JobRecord> {
  let current = record;
  const until = Date.now() + seconds * 1000;
  while (!TERMINAL_STATUSES.includes(current.status) && Date.now() < until) {
    const next = (await jobRun(env, record.id)
      .waitForChange(current.revision ?? 0, until - Date.now(), 'end')
      .catch(() => readJob(env, record.id))) as JobRecord | undefined;
    current = next ?? current;
  }
  return current;
}
