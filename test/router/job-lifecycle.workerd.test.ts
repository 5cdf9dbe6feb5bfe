import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { parseJsonEvents } from '@stipple/test-support/server-sent-events';
import { describe, expect, it } from 'vitest';
import { jobRun, tenantAccount } from '../../functions/router/src/durable-objects.ts';
import type { JobRecord } from '../../functions/router/src/jobs/job-record.ts';
import { readJob } from '../../functions/router/src/jobs/job-run.ts';
import { call, newTenant, waitForJobState } from './router-fixture.ts';

interface JobView {
  id: string;
  status: string;
  progress: { step: number } | null;
  usage: { credits: number };
  outputs: unknown[];
}

async function post(key: string, body: unknown): Promise<Response> {
  return call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify(body) });
}

describe('credits under concurrency', () => {
  it('accepts exactly 10 of 50 concurrent jobs against a balance of 10; the rest get 402', async () => {
    const { key } = await newTenant(10);
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => post(key, { prompt: `job ${i}` })));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(10);
    expect(statuses.filter((status) => status === 402)).toHaveLength(40);
    const usage = (await (await call('/v1/usage', { token: key })).json()) as {
      calls: number;
      credits_remaining: number;
    };
    expect(usage).toMatchObject({ calls: 10, credits_remaining: 0 });
  });
});

describe("a job's object", () => {
  it('keeps no alarm once the job has ended (each alarm write is a durable commit)', async () => {
    const { key } = await newTenant(3);
    const created = (await (await post(key, { prompt: 'a short one', steps: 2 })).json()) as JobView;
    const ended = await waitForJobState<JobView>(created.id, key, (job) => job.status === 'succeeded');
    expect(ended.usage.credits).toBeGreaterThan(0);
    const alarm = await runInDurableObject(jobRun(env, created.id), (_, state) => state.storage.getAlarm());
    expect(alarm).toBeNull();
  });
});

describe("a job's end", () => {
  it('is written the same, charged once, when its object stopped after the ledger moved and before the final record', async () => {
    const { key, tenantId } = await newTenant(3);
    const created = (await (await post(key, { prompt: 'a short one', steps: 2 })).json()) as JobView;
    await waitForJobState<JobView>(created.id, key, (job) => job.status === 'succeeded');
    const real = (await readJob(env, created.id))!;
    // Another job stopped mid-settle: its intent stored (the end is answered from it) and its credits captured.
    const id = `job_${crypto.randomUUID().replaceAll('-', '')}`;
    const account = tenantAccount(env, tenantId);
    expect(await account.reserve(id, real.usage)).toMatchObject({ ok: true });
    await account.capture(id);
    const spent = async () =>
      ((await (await call('/v1/usage', { token: key })).json()) as { credits_spent: number }).credits_spent;
    const spentBefore = await spent();
    const completedAt = '2026-01-02T03:04:05.000Z';
    const intent: JobRecord = {
      ...real,
      id,
      job: { ...real.job, jobId: id },
      status: 'running',
      completedAt: undefined,
      settling: { status: 'succeeded', completedAt },
    };
    const stub = jobRun(env, id);
    await runInDurableObject(stub, async (_, state) => {
      await state.storage.put('record', intent);
      await state.storage.setAlarm(Date.now() + 1_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await readJob(env, id)).toMatchObject({ status: 'succeeded', completedAt, usage: real.usage });
    expect((await readJob(env, id))?.settling).toBeUndefined();
    expect(await spent()).toBe(spentBefore);
  });
});

describe('POST /v1/jobs/:id/cancel', () => {
  it('stops a running job within a step, ends it canceled with no outputs, and gives the credits back', async () => {
    const { key } = await newTenant(3);
    const created = (await (
      await post(key, { prompt: 'a long one', width: 256, height: 256, steps: 150 })
    ).json()) as JobView;
    await waitForJobState<JobView>(created.id, key, (job) => (job.progress?.step ?? 0) >= 2);
    const cancel = await call(`/v1/jobs/${created.id}/cancel`, { method: 'POST', token: key });
    expect(cancel.status).toBe(200);
    const ended = await waitForJobState<JobView>(created.id, key, (job) => !['queued', 'running'].includes(job.status));
    expect(ended).toMatchObject({ status: 'canceled', outputs: [], usage: { credits: 0 } });
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({
      credits_spent: 0,
      credits_reserved: 0,
      credits_remaining: 3,
    });
    // Canceling an ended job changes nothing.
    const again = (await (
      await call(`/v1/jobs/${created.id}/cancel`, { method: 'POST', token: key })
    ).json()) as JobView;
    expect(again.status).toBe('canceled');
  });

  it("cannot cancel another tenant's job", async () => {
    const owner = await newTenant(1);
    const other = await newTenant(1);
    const created = (await (await post(owner.key, { prompt: 'mine' })).json()) as JobView;
    expect((await call(`/v1/jobs/${created.id}/cancel`, { method: 'POST', token: other.key })).status).toBe(404);
    expect(
      (
        await waitForJobState<JobView>(
          created.id,
          owner.key,
          (job) => job.status !== 'queued' && job.status !== 'running',
        )
      ).status,
    ).toBe('succeeded');
  });
});

describe('timeout_seconds', () => {
  it('stops a job that outlasts its deadline: timed_out, no outputs, credits back', async () => {
    const { key } = await newTenant(2);
    const created = (await (
      await post(key, { prompt: 'too slow', width: 256, height: 256, steps: 150, timeout_seconds: 1 })
    ).json()) as JobView & { error: { code: string } | null };
    const ended = await waitForJobState<JobView & { error: { code: string } | null }>(created.id, key);
    expect(ended).toMatchObject({
      status: 'timed_out',
      outputs: [],
      usage: { credits: 0 },
      error: { code: 'deadline_exceeded' },
    });
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({
      credits_spent: 0,
      credits_remaining: 2,
    });
    const bad = await post(key, { prompt: 'x', timeout_seconds: 7200 });
    expect(bad.status).toBe(400);
  });
});

describe('GET /v1/jobs/:id/events', () => {
  it('streams progress, previews and the final job as Server-Sent Events', async () => {
    const { key } = await newTenant(2);
    const created =
      (await // Long enough (~1–2 s here) for steps to be reported mid-way (at most every 100 ms): a job that ends before
      // its first report has only its final event, which is right, but would test nothing about progress.
      (
        await post(key, { prompt: 'a blue circle', width: 128, height: 128, steps: 120, preview_every: 30 })
      ).json()) as JobView;
    const response = await call(`/v1/jobs/${created.id}/events`, { token: key });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseJsonEvents(await response.text());
    const final = events.at(-1)!;
    expect(final.event).toBe('succeeded');
    expect(final.data).toMatchObject({ id: created.id, status: 'succeeded' });
    const steps = events.filter((event) => event.event === 'progress').map((event) => event.data.step as number);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps.every((step) => step >= 1 && step <= 120)).toBe(true);
    const previews = events.filter((event) => event.event === 'preview');
    expect(previews.length).toBeGreaterThan(0);
    expect(previews[0].data).toMatchObject({ width: 16, height: 16 });
    expect(previews[0].data.images[0]).toMatch(/^data:image\/png;base64,/);
  });
});

describe('JobRun.waitForChange', () => {
  it('wakes a waiter for the end only at the end, however many steps are reported meanwhile', async () => {
    const { key } = await newTenant(100);
    // Long enough (~1–2 s here) for several step reports (at most every 100 ms) between the first change and the end:
    // a job of a few hundred ms may report one step only, and then the end follows the first change at once.
    const job = { prompt: 'a cat', steps: 120, width: 128, height: 128 };
    const created = (await (await post(key, job)).json()) as JobView;
    const first = (await readJob(env, created.id))!;
    const [ended, changed] = (await Promise.all([
      jobRun(env, created.id).waitForChange(first.revision ?? 0, 30_000, 'end'),
      jobRun(env, created.id).waitForChange(first.revision ?? 0, 30_000),
    ])) as (JobRecord | undefined)[];
    expect(changed?.status).not.toBe('succeeded');
    expect(ended?.status).toBe('succeeded');
    // Several changes (started, steps, the end) passed while the end's waiter slept.
    expect(ended!.revision! - (changed?.revision ?? 0)).toBeGreaterThan(1);
  });
});

describe('GET /v1/jobs', () => {
  it("lists this key's jobs newest first, a page at a time", async () => {
    const { tenantId, key } = await newTenant(10);
    const ids: string[] = [];
    for (const prompt of ['one', 'two', 'three'])
      ids.push(((await (await post(key, { prompt })).json()) as JobView).id);
    // A second key of the same tenant: its jobs are its own list.
    const second = await (
      await call(`/v1/admin/tenants/${tenantId}/keys`, {
        method: 'POST',
        token: 'router-test-admin-secret-0123456789abcdef',
        body: '{}',
      })
    ).json();
    const secondKey = (second as { key: string }).key;
    await post(secondKey, { prompt: 'other key' });
    // Usage: the tenant's four calls, and each key's own share of them.
    const usageOf = async (token: string) =>
      (await (await call('/v1/usage', { token })).json()) as { calls: number; key: { calls: number } };
    expect([(await usageOf(key)).calls, (await usageOf(key)).key.calls, (await usageOf(secondKey)).key.calls]).toEqual([
      4, 3, 1,
    ]);

    const first = (await (await call('/v1/jobs?limit=2', { token: key })).json()) as {
      data: JobView[];
      has_more: boolean;
      next_cursor: string;
    };
    expect(first.data.map((job) => job.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const rest = (await (await call(`/v1/jobs?limit=2&after=${first.next_cursor}`, { token: key })).json()) as {
      data: JobView[];
      has_more: boolean;
      next_cursor: string | null;
    };
    expect(rest.data.map((job) => job.id)).toEqual([ids[0]]);
    expect([rest.has_more, rest.next_cursor]).toEqual([false, null]);
    const bad = await call('/v1/jobs?after=nonsense', { token: key });
    expect(bad.status).toBe(400);
    expect((await call('/v1/jobs?limit=0', { token: key })).status).toBe(400);
  });
});
