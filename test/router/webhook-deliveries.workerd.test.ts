import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { webhookOutbox } from '../../functions/router/src/durable-objects.ts';
import { WebhookOutbox } from '../../functions/router/src/webhooks/webhook-outbox.ts';
import { call, newTenant } from './router-fixture.ts';

/** The receiver test/router/global-setup.ts runs, bound by vitest.config.ts. */
const RECEIVER_URL = (env as unknown as { TEST_WEBHOOK_RECEIVER_URL: string }).TEST_WEBHOOK_RECEIVER_URL;

interface DeliveryList {
  object: 'list';
  data: {
    id: string;
    job_id: string;
    event: string;
    url_host: string | null;
    state: 'pending' | 'delivered' | 'abandoned';
    attempts: number;
    last_status: number | null;
    last_error: string | null;
    next_attempt_at: string | null;
    created_at: string;
    delivered_at: string | null;
  }[];
  has_more: boolean;
  next_cursor: string | null;
}

/** A receiver URL whose first requests get the statuses of `script` (then 200); its path carries a token. */
async function receiverUrl(script: number[] = []): Promise<string> {
  const name = `box-${crypto.randomUUID()}`;
  await fetch(`${RECEIVER_URL}/script/${name}`, { method: 'PUT', body: JSON.stringify(script) });
  return `${RECEIVER_URL}/hooks/${name}`;
}

async function postJob(key: string, webhook: string): Promise<string> {
  const body = JSON.stringify({ prompt: 'logged', webhook, webhook_events_filter: ['completed'] });
  const response = await call('/v1/jobs', { method: 'POST', token: key, body });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

async function deliveries(key: string, query = ''): Promise<DeliveryList> {
  const response = await call(`/v1/webhooks/deliveries${query}`, { token: key });
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as DeliveryList;
}

async function until(what: string, read: () => Promise<DeliveryList>, done: (list: DeliveryList) => boolean) {
  for (let i = 0; i < 300; i++) {
    const list = await read();
    if (done(list)) return list;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never saw ${what}`);
}

const allDelivered = (count: number) => (list: DeliveryList) =>
  list.data.length === count && list.data.every((delivery) => delivery.state === 'delivered');

describe('GET /v1/webhooks/deliveries', () => {
  it("shows a failing receiver's attempts, statuses and error, then its success, by host only", async () => {
    const { key } = await newTenant(1);
    const url = await receiverUrl([500, 500, 500, 500, 503]);
    const jobId = await postJob(key, url);
    const failing = await until(
      'a failed attempt',
      () => deliveries(key),
      (list) => list.data[0]?.attempts >= 1,
    );
    expect(failing.data[0]).toMatchObject({
      state: 'pending',
      last_status: 500,
      last_error: 'the receiver answered 500',
      next_attempt_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      delivered_at: null,
    });
    const settled = await until('the delivery', () => deliveries(key), allDelivered(1));
    expect(settled).toMatchObject({ object: 'list', has_more: false, next_cursor: null });
    const [delivery] = settled.data;
    expect(delivery).toEqual({
      id: `msg_${jobId.replace(/^job_/, '')}_completed`,
      job_id: jobId,
      event: 'job.completed',
      url_host: new URL(RECEIVER_URL).host,
      state: 'delivered',
      attempts: 6,
      last_status: 200,
      last_error: 'the receiver answered 503',
      next_attempt_at: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      delivered_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(Date.parse(delivery.delivered_at ?? '')).toBeGreaterThan(Date.parse(delivery.created_at));
    expect(JSON.stringify(settled)).not.toContain(new URL(url).pathname);
  });

  it("pages newest first, filters by job_id, and shows another tenant none of the tenant's messages", async () => {
    const { key } = await newTenant(2);
    const url = await receiverUrl();
    const older = await postJob(key, url);
    await until('the first delivery', () => deliveries(key), allDelivered(1));
    const newer = await postJob(key, url);
    const all = await until('both deliveries', () => deliveries(key), allDelivered(2));
    expect(all.data.map((delivery) => delivery.job_id)).toEqual([newer, older]);

    const first = await deliveries(key, '?limit=1');
    expect(first.data.map((delivery) => delivery.job_id)).toEqual([newer]);
    expect(first.has_more).toBe(true);
    const second = await deliveries(key, `?limit=1&after=${first.next_cursor}`);
    expect(second).toMatchObject({ has_more: false, next_cursor: null });
    expect(second.data.map((delivery) => delivery.job_id)).toEqual([older]);

    const filtered = await deliveries(key, `?job_id=${older}`);
    expect(filtered.data.map((delivery) => delivery.job_id)).toEqual([older]);

    const stranger = await newTenant(0);
    expect((await deliveries(stranger.key)).data).toEqual([]);
    expect((await deliveries(stranger.key, `?job_id=${older}`)).data).toEqual([]);
  });

  it('refuses client tokens and keys without the generate scope', async () => {
    const { key } = await newTenant(0);
    const minted = await call('/v1/client-tokens', { method: 'POST', token: key, body: '{}' });
    const { token } = (await minted.json()) as { token: string };
    const refused = await call('/v1/webhooks/deliveries', { token });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: { code: 'secret_key_required', message: expect.stringContaining('deliveries log') },
    });
    const reader = await newTenant(0, ['read']);
    const missing = await call('/v1/webhooks/deliveries', { token: reader.key });
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: { code: 'missing_scope' } });
  });

  it.each([
    ['?limit=0', 'invalid_limit', 'limit', 'limit 0 is not allowed; use 1–100'],
    ['?limit=101', 'invalid_limit', 'limit', 'limit 101 is not allowed'],
    ['?job_id=msg_123', 'invalid_job_id', 'job_id', 'job_id msg_123 is not a job id'],
    ['?after=not-a-cursor', 'invalid_cursor', 'after', 'after is not a cursor this API gave out'],
  ])('refuses %s with 400, naming the value', async (query, code, param, message) => {
    const { key } = await newTenant(0);
    const response = await call(`/v1/webhooks/deliveries${query}`, { token: key });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; param: string; message: string } };
    expect(error).toMatchObject({ code, param });
    expect(error.message).toContain(message);
  });
});

describe('WebhookOutbox', () => {
  it('gains last_status when it was created before the deliveries log', async () => {
    const stub = webhookOutbox(env, `upgrade-${crypto.randomUUID()}`);
    await runInDurableObject(stub, (_instance: unknown, state: DurableObjectState) => {
      const { sql } = state.storage;
      // The messages table as it was before the log: no last_status.
      sql.exec('DROP TABLE messages');
      sql.exec(`CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE, job_id TEXT NOT NULL,
        event TEXT NOT NULL, url TEXT NOT NULL, record TEXT NOT NULL, occurred_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, first_attempt_at_ms INTEGER, next_attempt_at_ms INTEGER NOT NULL,
        state TEXT NOT NULL, last_error TEXT, settled_at_ms INTEGER)`);
      sql.exec(
        `INSERT INTO messages (message_id, job_id, event, url, record, occurred_at, next_attempt_at_ms, state)
         VALUES ('msg_1_completed', 'job_1', 'completed', 'https://hooks.example.com/secret-path', '{}', ?, 0, 'delivered')`,
        new Date().toISOString(),
      );
      const upgraded = new WebhookOutbox(state, env);
      expect(upgraded.listDeliveries({ limit: 10 }).deliveries).toMatchObject([
        { id: 'msg_1_completed', urlHost: 'hooks.example.com', lastStatus: null },
      ]);
    });
  });
});
