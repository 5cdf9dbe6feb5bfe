import { createExecutionContext, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/router/src/app.ts';
import { jobRun, webhookOutbox } from '../../functions/router/src/durable-objects.ts';
import type { JobRecord } from '../../functions/router/src/jobs/job-record.ts';
import { readJob } from '../../functions/router/src/jobs/job-run.ts';
import type { WebhookDelivery } from '../../functions/router/src/webhooks/webhook-delivery-log.ts';
import { verifyWebhook } from '../../functions/router/src/webhooks/webhook-signature.ts';
import { call, newTenant } from './router-fixture.ts';

/** The receiver test/router/global-setup.ts runs, bound by vitest.config.ts. */
const RECEIVER_URL = (env as unknown as { TEST_WEBHOOK_RECEIVER_URL: string }).TEST_WEBHOOK_RECEIVER_URL;

/** A request as the receiver recorded it (`ReceivedWebhook` in the global setup). */
interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
}

interface Delivery {
  headers: Headers;
  body: string;
  payload: {
    type: string;
    data: { id: string; status: string; progress: { step: number } | null; outputs: { url: string }[] };
  };
}

/** A fresh box at the receiver; `script` is the statuses its first requests get (then 200). */
async function receiverBox(script: number[] = []) {
  const name = `box-${crypto.randomUUID()}`;
  await fetch(`${RECEIVER_URL}/script/${name}`, { method: 'PUT', body: JSON.stringify(script) });
  const received = async (box = name): Promise<Delivery[]> => {
    const list = (await (await fetch(`${RECEIVER_URL}/requests/${box}`)).json()) as ReceivedWebhook[];
    return list.map(({ headers, body }) => ({ headers: new Headers(headers), body, payload: JSON.parse(body) }));
  };
  return { url: `${RECEIVER_URL}/hooks/${name}`, received, followed: () => received(`${name}-followed`) };
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never saw ${what}`);
}

const completed = (deliveries: Delivery[]) => deliveries.some((d) => d.payload.type === 'job.completed');

async function postJob(key: string, body: Record<string, unknown>): Promise<string> {
  const response = await call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify(body) });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

async function secret(key: string): Promise<string> {
  const response = await call('/v1/webhooks/secret', { token: key });
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return ((await response.json()) as { key: string }).key;
}

async function outboxMessages(tenantId: string, jobId: string): Promise<WebhookDelivery[]> {
  const outbox = webhookOutbox(env, tenantId);
  return ((await outbox.listDeliveries({ jobId, limit: 100 })) as { deliveries: WebhookDelivery[] }).deliveries;
}

describe('job webhooks', () => {
  it('deliver started, progress and completed in order, signed with the tenant secret, outputs reachable', async () => {
    const { key } = await newTenant(2);
    const box = await receiverBox();
    // Long enough (~1–2 s) for steps to be reported mid-way, so progress events exist (at most one per 500 ms).
    const jobId = await postJob(key, { prompt: 'a red circle', width: 128, height: 128, steps: 120, webhook: box.url });
    const deliveries = await until('job.completed', box.received, completed);
    const whsec = await secret(key);
    for (const delivery of deliveries) {
      expect(await verifyWebhook(whsec, delivery.headers, delivery.body)).toBe(true);
      expect(delivery.payload.data.id).toBe(jobId);
    }
    const types = deliveries.map((d) => d.payload.type);
    expect(types[0]).toBe('job.started');
    expect(types.at(-1)).toBe('job.completed');
    expect(types.slice(1, -1).length).toBeGreaterThan(0);
    expect(types.slice(1, -1).every((type) => type === 'job.progress')).toBe(true);
    const steps = deliveries.slice(1, -1).map((d) => d.payload.data.progress?.step ?? 0);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(deliveries.map((d) => d.headers.get('webhook-id'))).size).toBe(deliveries.length);
    const final = deliveries.at(-1)!.payload.data;
    expect(final.status).toBe('succeeded');
    expect(final.outputs).toHaveLength(1);
    const image = await fetch(final.outputs[0].url);
    expect(image.status).toBe(200);
    expect(new Uint8Array(await image.arrayBuffer()).subarray(1, 4)).toEqual(new TextEncoder().encode('PNG'));
  });

  it('deliver only the events in webhook_events_filter', async () => {
    const { tenantId, key } = await newTenant(1);
    const box = await receiverBox();
    const jobId = await postJob(key, {
      prompt: 'a square',
      steps: 60,
      webhook: box.url,
      webhook_events_filter: ['completed'],
    });
    await until('job.completed', box.received, completed);
    // Every message the job made is settled by now; only the completed one was ever made.
    expect((await outboxMessages(tenantId, jobId)).map((m) => [m.event, m.state])).toEqual([
      ['completed', 'delivered'],
    ]);
    expect((await box.received()).map((d) => d.payload.type)).toEqual(['job.completed']);
  });

  it('delivers an event its job stored but had not handed to the outbox when it stopped', async () => {
    const { key } = await newTenant(1);
    const box = await receiverBox();
    const realId = await postJob(key, { prompt: 'a circle', webhook: box.url, webhook_events_filter: ['completed'] });
    await until('job.completed', box.received, completed);
    const real = (await readJob(env, realId))!;
    // Another job, stopped right after the transaction that ended it: its record and announcement stored, not sent.
    const id = `job_${crypto.randomUUID().replaceAll('-', '')}`;
    const after = { ...real, id, job: { ...real.job, jobId: id } };
    const before = { ...after, status: 'running', completedAt: undefined } as JobRecord;
    const stub = jobRun(env, id);
    await runInDurableObject(stub, async (_instance: unknown, state: DurableObjectState) => {
      await state.storage.put({ record: after, announcement: { before, after } });
      await state.storage.setAlarm(Date.now() + 5_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const delivered = await until('the stored job.completed', box.received, (deliveries) =>
      deliveries.some((d) => d.payload.data.id === id),
    );
    expect(delivered.find((d) => d.payload.data.id === id)?.payload).toMatchObject({
      type: 'job.completed',
      data: { id, status: 'succeeded' },
    });
    await runInDurableObject(stub, async (_instance: unknown, state: DurableObjectState) => {
      expect(await state.storage.get('announcement')).toBeUndefined();
    });
  });

  it('retries a failing receiver with the same webhook-id until it answers 2xx', async () => {
    const { tenantId, key } = await newTenant(1);
    const box = await receiverBox([500, 500]);
    const jobId = await postJob(key, { prompt: 'retry me', webhook: box.url, webhook_events_filter: ['completed'] });
    const deliveries = await until('three attempts', box.received, (list) => list.length >= 3);
    const message = await until(
      'the message delivered',
      () => outboxMessages(tenantId, jobId),
      (messages) => messages[0]?.state === 'delivered',
    );
    expect(message).toEqual([
      expect.objectContaining({ event: 'completed', attempts: 3, lastError: 'the receiver answered 500' }),
    ]);
    const ids = deliveries.map((d) => d.headers.get('webhook-id'));
    expect(ids).toEqual([message[0].id, message[0].id, message[0].id]);
    const whsec = await secret(key);
    for (const delivery of deliveries) expect(await verifyWebhook(whsec, delivery.headers, delivery.body)).toBe(true);
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    const { tenantId, key } = await newTenant(1);
    const box = await receiverBox([302]);
    const jobId = await postJob(key, { prompt: 'moved', webhook: box.url, webhook_events_filter: ['completed'] });
    const messages = await until(
      'the message delivered',
      () => outboxMessages(tenantId, jobId),
      (list) => list[0]?.state === 'delivered',
    );
    expect(messages[0]).toMatchObject({ attempts: 2, lastError: expect.stringContaining('302; redirects are not') });
    expect(await box.received()).toHaveLength(2);
    expect(await box.followed()).toEqual([]);
  });
});

interface RotatedSecret {
  key: string;
  previous_key_expires_at: string | null;
}

async function rotate(key: string, body?: unknown): Promise<RotatedSecret> {
  const response = await call('/v1/webhooks/secret/rotate', {
    method: 'POST',
    token: key,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as RotatedSecret;
}

/** Runs a job with a completed-only webhook; its one delivery. */
async function completedDelivery(key: string): Promise<Delivery> {
  const box = await receiverBox();
  await postJob(key, { prompt: 'signed', webhook: box.url, webhook_events_filter: ['completed'] });
  const [delivery] = await until('job.completed', box.received, completed);
  return delivery;
}

const verifiesWith = (delivery: Delivery, whsec: string) => verifyWebhook(whsec, delivery.headers, delivery.body);

describe('POST /v1/webhooks/secret/rotate', () => {
  it('signs with the new and the previous secret during the grace, a day by default', async () => {
    const { key } = await newTenant(1);
    const before = await secret(key);
    const rotatedAt = Date.now();
    const rotated = await rotate(key);
    expect(rotated.key).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(rotated.key).not.toBe(before);
    const graceMs = Date.parse(rotated.previous_key_expires_at ?? '') - rotatedAt;
    expect(graceMs).toBeGreaterThanOrEqual(86_400_000 - 1000);
    expect(graceMs).toBeLessThanOrEqual(86_400_000 + 60_000);
    expect(await (await call('/v1/webhooks/secret', { token: key })).json()).toEqual(rotated);
    const delivery = await completedDelivery(key);
    expect(delivery.headers.get('webhook-signature')?.split(' ')).toHaveLength(2);
    expect(await verifiesWith(delivery, rotated.key)).toBe(true);
    expect(await verifiesWith(delivery, before)).toBe(true);
  });

  it('keeps only the secret replaced last when rotated again within the grace', async () => {
    const { key } = await newTenant(1);
    const first = await secret(key);
    const second = await rotate(key, { grace_seconds: 3600 });
    const third = await rotate(key);
    const delivery = await completedDelivery(key);
    expect(await verifiesWith(delivery, third.key)).toBe(true);
    expect(await verifiesWith(delivery, second.key)).toBe(true);
    expect(await verifiesWith(delivery, first)).toBe(false);
  });

  it('signs with the new secret alone with grace_seconds 0, and once a grace is over', async () => {
    const { key } = await newTenant(2);
    const before = await secret(key);
    const immediate = await rotate(key, { grace_seconds: 0 });
    expect(immediate.previous_key_expires_at).toBeNull();
    const delivery = await completedDelivery(key);
    expect(delivery.headers.get('webhook-signature')?.split(' ')).toHaveLength(1);
    expect(await verifiesWith(delivery, immediate.key)).toBe(true);
    expect(await verifiesWith(delivery, before)).toBe(false);

    const short = await rotate(key, { grace_seconds: 1 });
    await new Promise((resolve) =>
      setTimeout(resolve, Date.parse(short.previous_key_expires_at ?? '') - Date.now() + 50),
    );
    expect(await (await call('/v1/webhooks/secret', { token: key })).json()).toEqual({
      key: short.key,
      previous_key_expires_at: null,
    });
    const later = await completedDelivery(key);
    expect(await verifiesWith(later, short.key)).toBe(true);
    expect(await verifiesWith(later, immediate.key)).toBe(false);
  });

  it.each([
    [{ grace_seconds: -1 }, 'grace_seconds', 'grace_seconds -1 is not allowed; use whole seconds 0–604800'],
    [{ grace_seconds: 604_801 }, 'grace_seconds', 'grace_seconds 604801 is not allowed'],
    [{ grace_seconds: 1.5 }, 'grace_seconds', 'grace_seconds 1.5 is not allowed'],
    [{ grace_seconds: '1h' }, 'grace_seconds', 'grace_seconds "1h" is not allowed'],
    [{ grace: 60 }, 'grace', 'unknown field grace; the fields are grace_seconds'],
  ])('refuses %j with 400, naming the value, and keeps the secret', async (body, param, message) => {
    const { key } = await newTenant(0);
    const before = await secret(key);
    const response = await call('/v1/webhooks/secret/rotate', {
      method: 'POST',
      token: key,
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; param: string | null; message: string } };
    expect(error).toMatchObject({ code: 'invalid_request', param });
    expect(error.message).toContain(message);
    expect(await secret(key)).toBe(before);
  });
});

describe('GET /v1/webhooks/secret', () => {
  it('refuses client tokens and keys without the generate scope', async () => {
    const { key } = await newTenant(0);
    const minted = await call('/v1/client-tokens', { method: 'POST', token: key, body: '{}' });
    const { token } = (await minted.json()) as { token: string };
    for (const path of ['/v1/webhooks/secret', '/v1/webhooks/secret/rotate']) {
      const refused = await call(path, { method: path.endsWith('rotate') ? 'POST' : 'GET', token });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: 'secret_key_required' } });
    }
    const reader = await newTenant(0, ['read']);
    const missing = await call('/v1/webhooks/secret', { token: reader.key });
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: { code: 'missing_scope' } });
  });
});

describe('POST /v1/jobs webhook checks', () => {
  /** The router as production runs it: ALLOW_LOCAL_WEBHOOKS off. */
  const production = (key: string, body: unknown) =>
    createApp().request(
      'https://api.stipple.test/v1/jobs',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
      { ...env, ALLOW_LOCAL_WEBHOOKS: 'false' },
      createExecutionContext(),
    );

  it.each([
    ['https://127.0.0.1/hook', 'loopback'],
    ['http://hooks.example.com/hook', 'uses http; use an https URL'],
    ['https://169.254.169.254/', 'link-local'],
    ['https://[::ffff:10.0.0.1]/', 'IPv4-mapped'],
  ])('refuses %s with 400 invalid_webhook and reserves nothing', async (webhook, reason) => {
    const { key } = await newTenant(1);
    const response = await production(key, { prompt: 'probe', webhook });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; param: string; message: string } };
    expect(error).toMatchObject({ code: 'invalid_webhook', param: 'webhook' });
    expect(error.message).toContain(reason);
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({ calls: 0, credits_remaining: 1 });
  });

  it('refuses an unknown or empty event filter, naming the allowed events', async () => {
    const { key } = await newTenant(1);
    for (const filter of [['finished'], []]) {
      const response = await call('/v1/jobs', {
        method: 'POST',
        token: key,
        body: JSON.stringify({ prompt: 'x', webhook: 'https://hooks.example.com/', webhook_events_filter: filter }),
      });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { param: string; message: string } };
      expect(error.param).toMatch(/^webhook_events_filter/);
      expect(error.message).toMatch(/started.*progress.*completed/);
    }
  });
});
