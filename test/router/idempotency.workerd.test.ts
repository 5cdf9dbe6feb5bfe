import {
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/router/src/app.ts';
import { requireKey } from '../../functions/router/src/auth/require-key.ts';
import { idempotencyStore } from '../../functions/router/src/durable-objects.ts';
import { ApiError } from '../../functions/router/src/errors/api-error.ts';
import type { AppContext } from '../../functions/router/src/http/app-context.ts';
import { handleError } from '../../functions/router/src/http/error-handler.ts';
import { idempotent } from '../../functions/router/src/http/idempotency.ts';
import { IDEMPOTENCY_RETENTION_MS } from '../../functions/router/src/tenancy/idempotency-store.ts';
import { admin, call, newTenant, waitForJobState } from './router-fixture.ts';

interface JobView {
  id: string;
  status: string;
}
interface Envelope {
  error: { message: string; param: string | null; code: string };
}

function postJob(key: string, idempotencyKey: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  return call('/v1/jobs', {
    method: 'POST',
    token: key,
    headers: idempotencyKey === undefined ? headers : { ...headers, 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });
}

async function usage(key: string): Promise<{ calls: number; credits_spent: number; credits_remaining: number }> {
  return (await call('/v1/usage', { token: key })).json();
}

const storeOf = (tenantId: string) => idempotencyStore(env, tenantId);

/** The client's own key in a stored one (`<caller scope>\n<Idempotency-Key>`), in SQL. */
const CLIENT_KEY_SQL = 'substr(idempotency_key, instr(idempotency_key, char(10)) + 1)';

/** Rows in a tenant's store: idempotency key → whether it holds a finished answer. */
async function storedKeys(tenantId: string): Promise<Record<string, boolean>> {
  return runInDurableObject(storeOf(tenantId), (_, state) =>
    Object.fromEntries(
      state.storage.sql
        .exec<{ client_key: string; status: number | null }>(
          `SELECT ${CLIENT_KEY_SQL} AS client_key, status FROM requests`,
        )
        .toArray()
        .map((row) => [row.client_key, row.status !== null]),
    ),
  );
}

/** Makes a tenant's records (or one of them) look `ms` older than they are. */
async function age(tenantId: string, ms: number, idempotencyKey?: string): Promise<void> {
  await runInDurableObject(storeOf(tenantId), (_, state) => {
    state.storage.sql.exec(
      `UPDATE requests SET created_at_ms = created_at_ms - ? WHERE ? IS NULL OR ${CLIENT_KEY_SQL} = ?`,
      ms,
      idempotencyKey ?? null,
      idempotencyKey ?? null,
    );
  });
}

describe('Idempotency-Key on POST /v1/jobs', () => {
  it('replays the first answer for the same key and body: one job, one charge', async () => {
    const { key } = await newTenant(5);
    const body = { prompt: 'a red circle', seed: 3 };
    const first = await postJob(key, 'order-1', body);
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const job = (await first.json()) as JobView;

    const again = await postJob(key, 'order-1', body);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(`/v1/jobs/${job.id}`);
    expect(again.headers.get('content-type')).toContain('application/json');
    expect(again.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(((await again.json()) as JobView).id).toBe(job.id);

    await waitForJobState<JobView>(job.id, key);
    expect(await usage(key)).toMatchObject({ calls: 1, credits_spent: 1, credits_remaining: 4 });
    // Without the header every POST is a new job.
    expect((await postJob(key, undefined, body)).status).toBe(202);
    expect((await postJob(key, undefined, body)).status).toBe(202);
    expect(await usage(key)).toMatchObject({ calls: 3 });
  });

  it('refuses the same key with a different body with 422 idempotency_key_reused, creating nothing', async () => {
    const { key } = await newTenant(5);
    const first = await postJob(key, 'order-2', { prompt: 'one' });
    expect(first.status).toBe(202);
    const other = await postJob(key, 'order-2', { prompt: 'two' });
    expect(other.status).toBe(422);
    expect(((await other.json()) as Envelope).error).toMatchObject({
      code: 'idempotency_key_reused',
      param: 'Idempotency-Key',
      message:
        'Idempotency-Key "order-2" was first used with a different method, path or body; use a new key for a new request',
    });
    // The body is compared byte for byte: spelling out a default (n: 1) makes it a different request.
    expect((await postJob(key, 'order-2', { prompt: 'one', n: 1 })).status).toBe(422);
    await waitForJobState<JobView>(((await first.json()) as JobView).id, key);
    expect(await usage(key)).toMatchObject({ calls: 1 });
  });

  it('keeps a 4xx answer: the retry replays it even after the cause is gone, as Stripe does', async () => {
    const { tenantId, key } = await newTenant(0);
    const refused = await postJob(key, 'order-3', { prompt: 'no credits yet' });
    expect(refused.status).toBe(402);
    await admin(`/tenants/${tenantId}/credits`, { method: 'POST', body: JSON.stringify({ credits: 5 }) });
    const replayed = await postJob(key, 'order-3', { prompt: 'no credits yet' });
    expect(replayed.status).toBe(402);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replayed.json()) as Envelope).error.code).toBe('insufficient_credits');
    expect(await usage(key)).toMatchObject({ calls: 0, credits_remaining: 5 });
  });

  it('answers 409 idempotency_request_in_progress while the first request still runs', async () => {
    const { tenantId, key } = await newTenant(5);
    // A long job with Prefer: wait keeps the first request open while it runs.
    const body = { prompt: 'a slow one', width: 256, height: 256, steps: 150 };
    const first = postJob(key, 'order-4', body, { prefer: 'wait=30' });
    // Once its job is listed, the first request has claimed the key and is waiting on the job.
    let jobs: JobView[] = [];
    for (let i = 0; jobs.length === 0; i++) {
      if (i > 200) throw new Error('the first request never created its job');
      await new Promise((resolve) => setTimeout(resolve, 20));
      jobs = ((await (await call('/v1/jobs', { token: key })).json()) as { data: JobView[] }).data;
    }
    expect(await storedKeys(tenantId)).toEqual({ 'order-4': false });
    const concurrent = await postJob(key, 'order-4', body, { prefer: 'wait=30' });
    expect(concurrent.status).toBe(409);
    expect(((await concurrent.json()) as Envelope).error).toMatchObject({
      code: 'idempotency_request_in_progress',
      param: 'Idempotency-Key',
    });
    // Cancel the job so the first request ends now; its answer is then what every retry gets.
    await call(`/v1/jobs/${jobs[0].id}/cancel`, { method: 'POST', token: key });
    const answer = await first;
    expect(answer.status).toBe(200);
    const ended = (await answer.json()) as JobView;
    expect(ended).toMatchObject({ id: jobs[0].id, status: 'canceled' });
    const retry = await postJob(key, 'order-4', body, { prefer: 'wait=30' });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toMatchObject({ id: ended.id, status: 'canceled' });
    expect(await usage(key)).toMatchObject({ calls: 1 });
  });

  it('scopes keys to the tenant: two tenants may use the same key for different requests', async () => {
    const a = await newTenant(2);
    const b = await newTenant(2);
    const fromA = await postJob(a.key, 'shared-key', { prompt: 'from a' });
    const fromB = await postJob(b.key, 'shared-key', { prompt: 'from b' });
    expect([fromA.status, fromB.status]).toEqual([202, 202]);
    expect(fromB.headers.get('idempotent-replayed')).toBeNull();
    const [jobA, jobB] = [(await fromA.json()) as JobView, (await fromB.json()) as JobView];
    expect(jobA.id).not.toBe(jobB.id);
    await Promise.all([waitForJobState<JobView>(jobA.id, a.key), waitForJobState<JobView>(jobB.id, b.key)]);
    expect(await usage(a.key)).toMatchObject({ calls: 1 });
    expect(await usage(b.key)).toMatchObject({ calls: 1 });
  });

  it('scopes keys to the caller within a tenant: each end user, and the secret key, gets its own job', async () => {
    const { key } = await newTenant(10);
    const mint = async (endUser: string) => {
      const response = await call('/v1/client-tokens', {
        method: 'POST',
        token: key,
        body: JSON.stringify({ end_user: endUser }),
      });
      return ((await response.json()) as { token: string }).token;
    };
    const [alice, bob] = [await mint('alice'), await mint('bob')];
    const body = { prompt: "alice's private prompt", seed: 5 };
    const hers = (await (await postJob(alice, 'checkout-1', body)).json()) as JobView;
    // Bob resends her key and body: he gets a job of his own, never hers (nor her prompt or image URLs).
    const replayAttempt = await postJob(bob, 'checkout-1', body);
    expect(replayAttempt.status).toBe(202);
    expect(replayAttempt.headers.get('idempotent-replayed')).toBeNull();
    const his = (await replayAttempt.json()) as JobView;
    expect(his.id).not.toBe(hers.id);
    const fromKey = (await (await postJob(key, 'checkout-1', body)).json()) as JobView;
    expect([hers.id, his.id]).not.toContain(fromKey.id);
    // Within one caller the key still replays: another token for alice gets her job.
    const aliceAgain = await postJob(await mint('alice'), 'checkout-1', body);
    expect(aliceAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(((await aliceAgain.json()) as JobView).id).toBe(hers.id);
    await Promise.all([hers, his, fromKey].map((job) => waitForJobState<JobView>(job.id, key)));
    expect(await usage(key)).toMatchObject({ calls: 3 });
  });

  it('refuses keys that are empty, longer than 255 characters or not printable ASCII, naming the header', async () => {
    const { key } = await newTenant(5);
    const cases: [string, string][] = [
      ['', 'the Idempotency-Key header is empty'],
      ['k'.repeat(256), 'the Idempotency-Key header is 256 characters long'],
      ['tab\there', 'the Idempotency-Key header has a character that is not printable ASCII'],
      ['delete\u007f', 'the Idempotency-Key header has a character that is not printable ASCII'],
    ];
    for (const [idempotencyKey, message] of cases) {
      const response = await postJob(key, idempotencyKey, { prompt: 'x' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as Envelope).error).toMatchObject({
        code: 'invalid_idempotency_key',
        param: 'Idempotency-Key',
        message: `${message}; use 1–255 printable ASCII characters (space to ~), such as a UUID`,
      });
    }
    expect(await usage(key)).toMatchObject({ calls: 0 });
    const longest = await postJob(key, `${'k'.repeat(254)}~`, { prompt: 'x' });
    expect(longest.status).toBe(202);
    await waitForJobState<JobView>(((await longest.json()) as JobView).id, key);
  });

  it('forgets a record after 24 hours: ignored on access, purged by the alarm', async () => {
    const { tenantId, key } = await newTenant(5);
    const first = (await (await postJob(key, 'old', { prompt: 'yesterday' })).json()) as JobView;
    await age(tenantId, IDEMPOTENCY_RETENTION_MS);
    const reused = await postJob(key, 'old', { prompt: 'today' });
    expect(reused.status).toBe(202);
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
    const second = (await reused.json()) as JobView;
    expect(second.id).not.toBe(first.id);

    const fresh = (await (await postJob(key, 'fresh', { prompt: 'now' })).json()) as JobView;
    await age(tenantId, IDEMPOTENCY_RETENTION_MS / 2);
    // Twelve hours on, the alarm keeps both; a day after the first, it purges that one alone.
    expect(await runDurableObjectAlarm(storeOf(tenantId))).toBe(true);
    expect(await storedKeys(tenantId)).toEqual({ old: true, fresh: true });
    await age(tenantId, IDEMPOTENCY_RETENTION_MS / 2, 'old');
    expect(await runDurableObjectAlarm(storeOf(tenantId))).toBe(true);
    expect(await storedKeys(tenantId)).toEqual({ fresh: true });
    await Promise.all([first, second, fresh].map((job) => waitForJobState<JobView>(job.id, key)));
  });
});

describe('Idempotency-Key on POST /v1/images/generations', () => {
  it('binds the key to its job from the first answer, a 504 generation_pending included: one job, one charge', async () => {
    const { key } = await newTenant(5);
    // The router with SYNC_WAIT_SECONDS=0: every generation answers 504 generation_pending at once.
    const app = createApp();
    const noWait = { ...env, SYNC_WAIT_SECONDS: '0' };
    const generate = async (sync: 'no-wait' | 'default') => {
      const init = {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'img-1' },
        body: JSON.stringify({ prompt: 'a square', seed: 3 }),
      };
      const url = 'https://api.stipple.test/v1/images/generations';
      if (sync === 'default') return call('/v1/images/generations', { ...init, token: key });
      // The answer goes out before its record is written (waitUntil); a retry, as an SDK's after its back-off, comes
      // once it is. (One sent in the ms between is told 409 idempotency_request_in_progress, as documented.)
      const ctx = createExecutionContext();
      const response = await app.request(url, init, noWait, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    };
    const jobIds: string[] = [];
    // The first answer and two retries, as the OpenAI SDK makes them.
    for (let attempt = 0; attempt < 3; attempt++) {
      const pending = await generate('no-wait');
      expect(pending.status).toBe(504);
      const { error } = (await pending.json()) as { error: { code: string; job_id: string } };
      expect(error.code).toBe('generation_pending');
      jobIds.push(error.job_id);
    }
    expect(new Set(jobIds).size).toBe(1);
    expect(await usage(key)).toMatchObject({ calls: 1 });
    // Once its job is done, a retry gets that job's images, still without another job.
    await waitForJobState<JobView>(jobIds[0], key);
    const done = await generate('default');
    expect(done.status).toBe(200);
    expect(((await done.json()) as { data: unknown[] }).data).toHaveLength(1);
    expect(await usage(key)).toMatchObject({ calls: 1, credits_spent: 1 });
  });
});

describe('idempotent() around any handler', () => {
  /** A route mounted only here: its handler's behaviour is scripted by the test. */
  function scriptedApp(handler: (calls: number) => Promise<Response> | Response) {
    let calls = 0;
    const app = new Hono<AppContext>()
      .post('/things', requireKey('generate'), idempotent(), () => handler(++calls))
      .onError(handleError);
    const request = (key: string, idempotencyKey: string) =>
      app.request(
        '/things',
        {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'idempotency-key': idempotencyKey },
          body: '{"thing":1}',
        },
        env,
      );
    return { request, calls: () => calls };
  }

  it('keeps no 5xx answer, so a retry runs again and its success is kept', async () => {
    const { key } = await newTenant();
    const { request, calls } = scriptedApp((n) => {
      if (n === 1) throw new Error('a bug on our side');
      if (n === 2) throw new ApiError(503, 'provider_unavailable', 'no GPU free');
      return Response.json({ made: n }, { status: 201, headers: { location: `/things/${n}`, 'x-other': 'kept?' } });
    });
    expect((await request(key, 'thing-1')).status).toBe(500);
    expect((await request(key, 'thing-1')).status).toBe(503);
    const made = await request(key, 'thing-1');
    expect(made.status).toBe(201);
    const replay = await request(key, 'thing-1');
    expect(replay.status).toBe(201);
    expect(await replay.json()).toEqual({ made: 3 });
    expect(replay.headers.get('location')).toBe('/things/3');
    expect(replay.headers.get('x-other')).toBeNull();
    expect(calls()).toBe(3);
  });

  it('lets exactly one of two concurrent requests run; the other gets 409, later retries the replay', async () => {
    const { key } = await newTenant();
    let entered!: () => void;
    let release!: () => void;
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { request, calls } = scriptedApp(async (n) => {
      entered();
      await gate;
      return Response.json({ made: n }, { status: 201 });
    });
    const first = request(key, 'thing-2');
    await inHandler;
    const second = await request(key, 'thing-2');
    expect(second.status).toBe(409);
    expect(((await second.json()) as Envelope).error.code).toBe('idempotency_request_in_progress');
    release();
    expect((await first).status).toBe(201);
    const third = await request(key, 'thing-2');
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(await third.json()).toEqual({ made: 1 });
    expect(calls()).toBe(1);
  });

  it('stores a large answer in pieces and replays it byte for byte', async () => {
    const { key } = await newTenant();
    const big = `${'🎨'.repeat(300_000)}é${'x'.repeat(1_500_000)}`;
    const { request } = scriptedApp(() => Response.json({ big }));
    expect((await request(key, 'big')).status).toBe(200);
    const replay = await request(key, 'big');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as { big: string }).big).toBe(big);
  });
});
