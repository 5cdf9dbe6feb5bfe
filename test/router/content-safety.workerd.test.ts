import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/router/src/app.ts';
import { tenantAccount } from '../../functions/router/src/durable-objects.ts';
import type { Env } from '../../functions/router/src/env.ts';
import type { ContentFilterView, JobView } from '../../functions/router/src/jobs/public-job-types.ts';
import { SAFETY_CHECKER_KNOWN_IMAGES as KNOWN } from '../safety-checker-known-images.ts';
import { admin, call, newTenant } from './router-fixture.ts';

/**
 * Content safety end to end (docs/SAFETY.md): each tenant policy mode against the real gpu-worker serving the
 * `safety-checker` fixture, whose checker flags the first image of `SAFETY_CHECKER_KNOWN_IMAGES` (seed 50) and not the
 * second (seed 51); prompt moderation with the term list and with the moderation endpoint the global setup starts
 * (OpenAI's protocol); what the job view, webhooks, OpenAI's endpoint and `/v1/usage` report; the end-user threshold.
 */

const RECEIVER_URL = (env as unknown as { TEST_WEBHOOK_RECEIVER_URL: string }).TEST_WEBHOOK_RECEIVER_URL;
const MODERATION_URL = `${(env as unknown as { TEST_MODERATION_URL: string }).TEST_MODERATION_URL}/v1/moderations`;

interface Envelope {
  error: { code: string; message: string; param: string | null; type: string; [extra: string]: unknown };
}
interface Usage {
  calls: number;
  images: number;
  credits_spent: number;
  credits_reserved: number;
  credits_remaining: number;
  content_filter: { prompts_flagged: number; prompts_blocked: number; images_flagged: number; images_blocked: number };
}

/**
 * The known images as a `POST /v1/jobs` body (and an OpenAI image generation's: the fields are named alike). Their size (48×40, below the API's 64-pixel floor) is the catalogue's
 * for the model (vitest.config.ts), so the request leaves it out.
 */
const knownImages = (extra: Record<string, unknown> = {}) => ({
  model: 'safety-checker',
  prompt: KNOWN.prompt,
  negative_prompt: KNOWN.negativePrompt,
  steps: KNOWN.steps,
  guidance: KNOWN.guidance,
  scheduler: KNOWN.scheduler,
  seed: KNOWN.seed,
  n: KNOWN.n,
  ...extra,
});

/** The router with some bindings changed, as production would run with them (the moderators are read per request). */
function routerWith(bindings: Partial<Env>) {
  const app = createApp();
  return (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return app.request(
      `https://api.stipple.test${path}`,
      { ...init, headers },
      { ...env, ...bindings },
      createExecutionContext(),
    );
  };
}

async function setPolicy(tenantId: string, policy: Record<string, unknown>) {
  const response = await admin(`/tenants/${tenantId}/moderation`, { method: 'PUT', body: JSON.stringify(policy) });
  expect(response.status).toBe(200);
  return response.json();
}

/** A new tenant with credits and its own policy. */
async function tenantWith(policy: Record<string, unknown>, credits = 10) {
  const tenant = await newTenant(credits);
  await setPolicy(tenant.tenantId, policy);
  return tenant;
}

/** A job created and waited for (`Prefer: wait`), through `send` (default: the router as bound). */
async function finishedJob(key: string, body: Record<string, unknown>, send = call): Promise<JobView> {
  const response = await send('/v1/jobs', {
    method: 'POST',
    token: key,
    headers: { prefer: 'wait=60' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as JobView;
}

const usageOf = async (key: string) => (await (await call('/v1/usage', { token: key })).json()) as Usage;

const checkedBySafetyChecker = (flagged: boolean, blocked = false) =>
  expect.objectContaining({ checked: true, flagged, blocked, checked_by: 'safety_checker' });
const NOT_CHECKED: ContentFilterView = { checked: false, flagged: false, blocked: false, checked_by: null };

describe('the image policy, with a model whose checker flags a known image', () => {
  it('off: the checker does not run, every image is stored and reported not checked', async () => {
    const { key } = await tenantWith({ images: 'off' });
    const job = await finishedJob(key, knownImages());
    expect(job.status).toBe('succeeded');
    expect(job.outputs.map((output) => [output.index, output.seed, output.content_filter])).toEqual([
      [0, 50, NOT_CHECKED],
      [1, 51, NOT_CHECKED],
    ]);
    expect(job.outputs.every((output) => output.url !== null)).toBe(true);
    expect(job.usage).toMatchObject({ images: 2, credits: 2 });
    expect((await usageOf(key)).content_filter).toEqual({
      prompts_flagged: 0,
      prompts_blocked: 0,
      images_flagged: 0,
      images_blocked: 0,
    });
  });

  it('flag (the default): every image is stored and charged, the flagged one reported with its scores', async () => {
    const { key } = await newTenant(10);
    const job = await finishedJob(key, knownImages());
    expect(job.outputs.map((output) => output.content_filter)).toEqual([
      checkedBySafetyChecker(true),
      checkedBySafetyChecker(false),
    ]);
    expect(job.outputs[0].content_filter.scores?.concept_0).toBeGreaterThan(0);
    const stored = await fetch(job.outputs[0].url!);
    expect(stored.headers.get('content-type')).toBe('image/png');
    await stored.body?.cancel();
    expect(job.usage).toMatchObject({ images: 2, credits: 2 });
    expect(await usageOf(key)).toMatchObject({
      images: 2,
      credits_spent: 2,
      content_filter: { images_flagged: 1, images_blocked: 0 },
    });
  });

  it('block: the flagged image is listed blocked without a URL, not stored and not charged', async () => {
    const { key } = await tenantWith({ images: 'block' });
    const job = await finishedJob(key, knownImages());
    expect(job.status).toBe('succeeded');
    expect(job.outputs).toEqual([
      {
        index: 0,
        url: null,
        expires_at: null,
        seed: 50,
        content_type: null,
        bytes: null,
        content_filter: checkedBySafetyChecker(true, true),
      },
      expect.objectContaining({ index: 1, seed: 51, content_filter: checkedBySafetyChecker(false) }),
    ]);
    expect(job.outputs[1].url).toMatch(/\/1\.png\?/);
    // The blocked image's place in the request was never written.
    const missing = await fetch(job.outputs[1].url!.replace('/1.png?', '/0.png?'));
    expect(missing.ok).toBe(false);
    await missing.body?.cancel();
    expect(job.usage).toMatchObject({ images: 1, credits: 1 });
    expect(await usageOf(key)).toMatchObject({
      images: 1,
      credits_spent: 1,
      credits_reserved: 0,
      credits_remaining: 9,
      content_filter: { images_flagged: 1, images_blocked: 1 },
    });
  });

  it('block: a job whose every image is blocked ends succeeded, the images marked, nothing charged', async () => {
    const { key } = await tenantWith({ images: 'block' });
    const job = await finishedJob(key, knownImages({ n: 1 }));
    expect(job).toMatchObject({ status: 'succeeded', error: null, usage: { images: 0, credits: 0 } });
    expect(job.outputs).toEqual([expect.objectContaining({ index: 0, url: null, seed: 50 })]);
    expect(job.outputs[0].content_filter.blocked).toBe(true);
    expect(await usageOf(key)).toMatchObject({ images: 0, credits_spent: 0, credits_remaining: 10 });
  });

  it("webhooks carry each output's content_filter, blocked images marked", async () => {
    const { key } = await tenantWith({ images: 'block' });
    const box = `box-${crypto.randomUUID()}`;
    const job = await finishedJob(key, knownImages({ webhook: `${RECEIVER_URL}/hooks/${box}` }));
    let payloads: { type: string; data: JobView }[] = [];
    for (let i = 0; i < 100 && !payloads.some((p) => p.type === 'job.completed'); i++) {
      const received = (await (await fetch(`${RECEIVER_URL}/requests/${box}`)).json()) as { body: string }[];
      payloads = received.map(({ body }) => JSON.parse(body));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const completed = payloads.find((payload) => payload.type === 'job.completed');
    expect(completed?.data.id).toBe(job.id);
    expect(completed?.data.outputs.map((output) => [output.url, output.content_filter.blocked])).toEqual([
      [null, true],
      [expect.any(String), false],
    ]);
    expect(completed?.data.prompt_filter).toEqual(NOT_CHECKED);
  });
});

describe("OpenAI's image endpoint", () => {
  const generate = (key: string, body: Record<string, unknown>) =>
    call('/v1/images/generations', { method: 'POST', token: key, body: JSON.stringify(body) });
  const request = knownImages();

  it('puts content_filter and prompt_filter on each image; a blocked one has no url', async () => {
    const flagging = await newTenant(10);
    const flagged = (await (await generate(flagging.key, request)).json()) as {
      data: { url?: string; content_filter: ContentFilterView; prompt_filter: ContentFilterView }[];
    };
    expect(flagged.data.map((image) => [typeof image.url, image.content_filter.flagged])).toEqual([
      ['string', true],
      ['string', false],
    ]);
    expect(flagged.data[0].prompt_filter).toEqual(NOT_CHECKED);

    const blocking = await tenantWith({ images: 'block' });
    const response = await generate(blocking.key, { ...request, response_format: 'b64_json' });
    expect(response.status).toBe(200);
    const blocked = (await response.json()) as { data: Record<string, unknown>[] };
    expect(blocked.data.map((image) => Object.keys(image).sort())).toEqual([
      ['content_filter', 'prompt_filter'],
      ['b64_json', 'content_filter', 'prompt_filter'],
    ]);
    expect(blocked.data[0].content_filter).toEqual(checkedBySafetyChecker(true, true));
  });

  it('answers 400 content_policy_violation with the job id when every image was blocked', async () => {
    const { key } = await tenantWith({ images: 'block' });
    const response = await generate(key, { ...request, n: 1 });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as Envelope;
    expect(error).toMatchObject({ code: 'content_policy_violation', type: 'invalid_request_error' });
    expect(error.message).toContain('was blocked');
    expect(response.headers.get('location')).toBe(`/v1/jobs/${error.job_id}`);
    expect(await usageOf(key)).toMatchObject({ credits_spent: 0, credits_remaining: 10 });
  });
});

describe('prompt moderation with the term list', () => {
  const send = routerWith({ MODERATION_TERMS: 'zebra, forbidden fruit' });
  const post = (key: string, prompt: string) =>
    send('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify({ prompt }) });

  it('block: refuses a prompt holding a term as a whole word, ignoring case, charging and listing nothing', async () => {
    const { key } = await tenantWith({ prompts: 'block' });
    for (const prompt of ['a ZEBRA, running', 'the Forbidden   Fruit', 'zebra']) {
      const refused = await post(key, prompt);
      expect(refused.status).toBe(400);
      const { error } = (await refused.json()) as Envelope;
      expect(error).toMatchObject({ code: 'content_policy_violation', param: 'prompt', type: 'invalid_request_error' });
      expect(error.message).toBe(
        "the prompt was refused by this service's content policy (checked by term_list); nothing was charged",
      );
      expect(error.prompt_filter).toEqual({ checked: true, flagged: true, blocked: true, checked_by: 'term_list' });
    }
    expect(await usageOf(key)).toMatchObject({
      calls: 0,
      credits_reserved: 0,
      credits_remaining: 10,
      content_filter: { prompts_flagged: 3, prompts_blocked: 3 },
    });
    expect(((await (await call('/v1/jobs', { token: key })).json()) as { data: unknown[] }).data).toEqual([]);
    // Not whole words: a longer word, or a term split by a letter.
    for (const prompt of ['zebras on a plain', 'forbidden fruits', 'azebra']) {
      expect((await post(key, prompt)).status).toBe(202);
    }
  });

  it('flag: lets the prompt through and reports it on the job and in usage', async () => {
    const { key } = await newTenant(10);
    const response = await post(key, 'a zebra');
    expect(response.status).toBe(202);
    const { id, prompt_filter } = (await response.json()) as JobView;
    expect(prompt_filter).toEqual({ checked: true, flagged: true, blocked: false, checked_by: 'term_list' });
    const job = (await (
      await call(`/v1/jobs/${id}`, { token: key, headers: { prefer: 'wait=30' } })
    ).json()) as JobView;
    expect(job.prompt_filter.flagged).toBe(true);
    for (let i = 0; i < 100 && (await usageOf(key)).content_filter.prompts_flagged === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await usageOf(key)).content_filter).toMatchObject({ prompts_flagged: 1, prompts_blocked: 0 });
  });

  it('off: nothing is checked', async () => {
    const { key } = await tenantWith({ prompts: 'off' });
    const response = await post(key, 'a zebra');
    expect(response.status).toBe(202);
    expect(((await response.json()) as JobView).prompt_filter).toEqual(NOT_CHECKED);
  });
});

describe('prompt moderation with an OpenAI-compatible moderation endpoint', () => {
  const endpoint = (failure: 'open' | 'closed') =>
    routerWith({
      MODERATION_URL,
      MODERATION_API_KEY: 'moderation-test-key',
      MODERATION_MODEL: 'omni-moderation-latest',
      MODERATION_TIMEOUT_MS: '300',
      MODERATION_FAILURE: failure,
    });
  const post = (send: ReturnType<typeof routerWith>, key: string, prompt: string) =>
    send('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify({ prompt }) });

  const blockingTenant = () => tenantWith({ prompts: 'block' });

  it('refuses a prompt the endpoint flags, with its categories, and sends the request its protocol defines', async () => {
    const { key } = await blockingTenant();
    const marker = crypto.randomUUID();
    const refused = await post(endpoint('closed'), key, `a violent scene ${marker}`);
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as Envelope;
    expect(error.code).toBe('content_policy_violation');
    expect(error.prompt_filter).toMatchObject({
      checked: true,
      flagged: true,
      checked_by: 'moderation_endpoint',
      categories: { violence: true, sexual: false },
      category_scores: { violence: 0.97 },
    });
    const seen = (await (await fetch(MODERATION_URL.replace('/v1/moderations', '/requests'))).json()) as {
      method: string;
      authorization: string;
      body: { input: string; model: string };
    }[];
    expect(seen.find((request) => request.body.input.includes(marker))).toEqual({
      method: 'POST',
      path: '/v1/moderations',
      authorization: 'Bearer moderation-test-key',
      body: { input: `a violent scene ${marker}`, model: 'omni-moderation-latest' },
    });
    expect((await usageOf(key)).content_filter).toMatchObject({ prompts_flagged: 1, prompts_blocked: 1 });
  });

  it('lets through a prompt it does not flag, reporting its scores', async () => {
    const { key } = await blockingTenant();
    const response = await post(endpoint('closed'), key, 'a calm lake');
    expect(response.status).toBe(202);
    expect(((await response.json()) as JobView).prompt_filter).toMatchObject({
      checked: true,
      flagged: false,
      checked_by: 'moderation_endpoint',
      categories: { violence: false },
      category_scores: { violence: 0.0012 },
    });
  });

  it('runs the term list first and skips the endpoint once it flags', async () => {
    const { key } = await blockingTenant();
    const both = routerWith({ MODERATION_URL, MODERATION_TERMS: 'zebra' });
    const marker = crypto.randomUUID();
    const refused = await post(both, key, `a zebra ${marker}`);
    expect(((await refused.json()) as Envelope).error.prompt_filter).toMatchObject({ checked_by: 'term_list' });
    const passed = await post(both, key, 'a horse');
    expect(((await passed.json()) as JobView).prompt_filter.checked_by).toBe('term_list+moderation_endpoint');
    const seen = (await (await fetch(MODERATION_URL.replace('/v1/moderations', '/requests'))).json()) as {
      body: { input: string };
    }[];
    expect(seen.some((request) => request.body.input.includes(marker))).toBe(false);
  });

  it.each([
    ['a timeout', 'a lake [slow:1500]', 'did not answer within 300 ms'],
    ['an error status', 'a lake [status:500]', 'answered 500'],
    ['a body that is no verdict', 'a lake [garbage]', 'answered with something other than a moderation result'],
  ])('fail-closed: %s refuses the prompt with 503, charging and counting nothing', async (_, prompt, reason) => {
    const { key } = await blockingTenant();
    const refused = await post(endpoint('closed'), key, prompt);
    expect(refused.status).toBe(503);
    const { error } = (await refused.json()) as Envelope;
    expect(error.code).toBe('moderation_unavailable');
    expect(error.message).toContain(reason);
    expect(await usageOf(key)).toMatchObject({
      calls: 0,
      credits_remaining: 10,
      content_filter: { prompts_flagged: 0, prompts_blocked: 0 },
    });
  });

  it('fail-open: a timeout lets the prompt through, reported not checked with the reason', async () => {
    const { key } = await blockingTenant();
    const response = await post(endpoint('open'), key, 'a lake [slow:1500]');
    expect(response.status).toBe(202);
    expect(((await response.json()) as JobView).prompt_filter).toEqual({
      checked: false,
      flagged: false,
      blocked: false,
      checked_by: null,
      unavailable: 'the moderation endpoint did not answer within 300 ms',
    });
  });

  it('under flag, no verdict lets the prompt through even when failing closed', async () => {
    const { key } = await newTenant(10);
    const response = await post(endpoint('closed'), key, 'a lake [status:503]');
    expect(response.status).toBe(202);
    expect(((await response.json()) as JobView).prompt_filter).toMatchObject({
      checked: false,
      unavailable: expect.any(String),
    });
  });
});

describe('end users', () => {
  const send = routerWith({ MODERATION_TERMS: 'zebra' });

  async function tokenFor(key: string, endUser: string): Promise<string> {
    const minted = await call('/v1/client-tokens', {
      method: 'POST',
      token: key,
      body: JSON.stringify({ end_user: endUser }),
    });
    expect(minted.status).toBe(201);
    return ((await minted.json()) as { token: string }).token;
  }
  const post = (token: string, prompt: string) =>
    send('/v1/jobs', { method: 'POST', token, body: JSON.stringify({ prompt }) });

  it("refuses an end user's tokens once their blocked attempts reach the threshold, until an admin resets them", async () => {
    const { tenantId, key } = await tenantWith({ prompts: 'block', end_user_block_threshold: 2 }, 20);
    const eve = await tokenFor(key, 'eve');
    const bob = await tokenFor(key, 'bob');
    expect((await post(eve, 'a zebra')).status).toBe(400);
    expect((await post(eve, 'a calm lake')).status).toBe(202);
    expect((await post(eve, 'zebra again')).status).toBe(400);
    const refused = await post(eve, 'a calm lake');
    expect(refused.status).toBe(403);
    const { error } = (await refused.json()) as Envelope;
    expect(error).toMatchObject({ code: 'end_user_blocked', type: 'permission_error' });
    expect(error.message).toContain('end user eve is blocked: 2 of their requests were refused');
    // No new token for them either; another end user is not affected.
    const mint = await call('/v1/client-tokens', { method: 'POST', token: key, body: '{"end_user":"eve"}' });
    expect(mint.status).toBe(403);
    expect((await post(bob, 'a calm lake')).status).toBe(202);

    const listed = await (await admin(`/tenants/${tenantId}/end-users`)).json();
    expect(listed).toMatchObject({
      object: 'list',
      threshold: 2,
      data: [{ end_user: 'eve', blocked_attempts: 2, blocked: true, last_blocked_at: expect.any(String) }],
    });
    const reset = await admin(`/tenants/${tenantId}/end-users/eve/blocked-attempts`, { method: 'DELETE' });
    expect(await reset.json()).toEqual({ end_user: 'eve', blocked_attempts: 0, blocked: false, reset: true });
    expect((await post(eve, 'a calm lake')).status).toBe(202);
  });

  it('counts a job with a blocked image as a blocked attempt of its end user', async () => {
    const { key } = await tenantWith({ images: 'block', end_user_block_threshold: 1 }, 20);
    const mallory = await tokenFor(key, 'mallory');
    const job = await finishedJob(mallory, knownImages({ n: 1 }));
    expect(job).toMatchObject({ status: 'succeeded', end_user: 'mallory', usage: { credits: 0 } });
    const next = await call('/v1/jobs', { method: 'POST', token: mallory, body: JSON.stringify(knownImages()) });
    expect(next.status).toBe(403);
    expect(((await next.json()) as Envelope).error.code).toBe('end_user_blocked');
  });
});

describe('the ledger of a job with blocked images', () => {
  const noFlags = { promptsFlagged: 0, promptsBlocked: 0, imagesFlagged: 0, imagesBlocked: 0 };

  it("captures the stored images' share exactly, once, and the token cap counts only that", async () => {
    const { tenantId, key } = await newTenant(10);
    const account = tenantAccount(env, tenantId);
    const price = { credits: 6, images: 3, megapixelSteps: 1.5 };
    const token = { id: 'tok-1', maxCredits: 6 };
    expect(await account.reserve('job_a', price, { token })).toMatchObject({ ok: true, balance: 4 });
    const outcome = { storedImages: 1, tally: { ...noFlags, imagesFlagged: 2, imagesBlocked: 2 } };
    expect(await account.capture('job_a', outcome)).toEqual({ credits: 2, images: 1, megapixelSteps: 0.5 });
    // A repeat (the alarm resuming a settle) charges and counts nothing more.
    expect(await account.capture('job_a', outcome)).toEqual({ credits: 2, images: 1, megapixelSteps: 0.5 });
    expect(await usageOf(key)).toMatchObject({
      images: 1,
      credits_spent: 2,
      credits_reserved: 0,
      credits_remaining: 8,
      content_filter: { images_flagged: 2, images_blocked: 2 },
    });
    // The token spent 2 of its 6: a job of 4 more fits, one of 5 does not.
    expect(await account.reserve('job_b', { ...price, credits: 5 }, { token })).toMatchObject({ ok: false });
    expect(await account.reserve('job_c', { ...price, credits: 4 }, { token })).toMatchObject({ ok: true });
  });
});

describe('the moderation admin API', () => {
  it("shows the deployment's defaults, sets and clears a tenant's overrides, and names bad values", async () => {
    const { tenantId } = await newTenant();
    const defaults = {
      object: 'moderation_policy',
      tenant_id: tenantId,
      prompts: 'flag',
      images: 'flag',
      end_user_block_threshold: null,
      overrides: { prompts: null, images: null, end_user_block_threshold: null },
    };
    expect(await (await admin(`/tenants/${tenantId}/moderation`)).json()).toEqual(defaults);
    expect(await setPolicy(tenantId, { images: 'block', end_user_block_threshold: 3 })).toMatchObject({
      prompts: 'flag',
      images: 'block',
      end_user_block_threshold: 3,
      overrides: { prompts: null, images: 'block', end_user_block_threshold: 3 },
    });
    expect(await setPolicy(tenantId, { prompts: 'off' })).toMatchObject({ prompts: 'off', images: 'block' });
    expect(await setPolicy(tenantId, { images: null, prompts: null, end_user_block_threshold: null })).toEqual(
      defaults,
    );

    const bad = await admin(`/tenants/${tenantId}/moderation`, { method: 'PUT', body: '{"prompts":"strict"}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Envelope).error).toMatchObject({ code: 'invalid_request', param: 'prompts' });
    const zero = await admin(`/tenants/${tenantId}/moderation`, {
      method: 'PUT',
      body: '{"end_user_block_threshold":0}',
    });
    expect(((await zero.json()) as Envelope).error.param).toBe('end_user_block_threshold');
    expect((await call(`/v1/admin/tenants/${tenantId}/moderation`)).status).toBe(401);
  });
});
