import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { jobRun, tenantAccount } from '../../functions/router/src/durable-objects.ts';
import type { JobRecord } from '../../functions/router/src/jobs/job-record.ts';
import { call, newTenant, waitForJobState } from './router-fixture.ts';

const price = { credits: 2, images: 1, megapixelSteps: 0.08 };

/** Makes every scheduled check of the account due now, as if ORPHAN_CHECK_AFTER_MS had passed, and runs its alarm. */
async function checkNow(tenantId: string): Promise<void> {
  const account = tenantAccount(env, tenantId);
  await runInDurableObject(account, (_, state) => {
    state.storage.sql.exec('UPDATE orphan_checks SET check_at_ms = 0');
  });
  expect(await runDurableObjectAlarm(account)).toBe(true);
}

const usage = async (key: string) =>
  (await (await call('/v1/usage', { token: key })).json()) as { credits_reserved: number; credits_remaining: number };

describe('a reservation whose job never reached its object (the request died between reserve and start)', () => {
  it('is released by the account once checked, and the job is refused if it arrives after', async () => {
    const { tenantId, key } = await newTenant(10);
    const jobId = `job_${'0'.repeat(31)}1`;
    expect(await tenantAccount(env, tenantId).reserve(jobId, price)).toMatchObject({ ok: true, balance: 8 });
    expect(await usage(key)).toMatchObject({ credits_reserved: 2, credits_remaining: 8 });

    await checkNow(tenantId);
    expect(await usage(key)).toMatchObject({ credits_reserved: 0, credits_remaining: 10 });
    // The late start the request would have made: refused, so the released credits can never pay for a job.
    expect(await jobRun(env, jobId).start({ id: jobId, tenantId } as JobRecord)).toBe('refused');
    expect(await jobRun(env, jobId).get()).toBeUndefined();
  });

  it("leaves a job its object holds to the object: charged once when it succeeds, whatever the check's timing", async () => {
    const { tenantId, key } = await newTenant(10);
    const created = (await (
      await call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify({ prompt: 'a cat', steps: 4 }) })
    ).json()) as { id: string; usage: { credits: number } };
    await checkNow(tenantId);
    const ended = await waitForJobState<{ status: string }>(created.id, key);
    expect(ended.status).toBe('succeeded');
    expect(await usage(key)).toMatchObject({ credits_reserved: 0, credits_remaining: 10 - created.usage.credits });
    await runInDurableObject(tenantAccount(env, tenantId), (_, state) => {
      expect(state.storage.sql.exec('SELECT * FROM orphan_checks').toArray()).toEqual([]);
    });
  });
});
