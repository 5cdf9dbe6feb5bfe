import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { currentProviderHealth, HEALTH_READ_CACHE_MS } from '../../functions/router/src/providers/provider-health.ts';
import { admin, call, newTenant, waitForJobState } from './router-fixture.ts';

/** A stalled worker (@stipple/test-support/stalled-worker) serving only `flaky-shapes`, whose /ping the tests switch. */
const FLAKY_URL = (env as unknown as { TEST_FLAKY_WORKER_URL: string }).TEST_FLAKY_WORKER_URL;

interface ProviderList {
  object: 'list';
  checked_at: string;
  data: { id: string; healthy: boolean; detail?: string; capabilities: { models: string[]; async: boolean } | null }[];
}

async function setFlakyHealth(healthy: boolean): Promise<void> {
  await fetch(`${FLAKY_URL}/health`, { method: 'PUT', body: JSON.stringify({ healthy }) });
}

async function invocationsOf(jobId: string): Promise<number> {
  const calls = (await (await fetch(`${FLAKY_URL}/calls`)).json()) as { path: string; jobId?: string }[];
  return calls.filter((entry) => entry.jobId === jobId && entry.path === '/invocations').length;
}

async function checkNow(): Promise<ProviderList> {
  const response = await admin('/providers');
  expect(response.status).toBe(200);
  return (await response.json()) as ProviderList;
}

describe('provider health, shared by every job', () => {
  it('lists every provider with a fresh check for operators, behind the admin secret', async () => {
    const before = Date.now();
    const list = await checkNow();
    expect(Date.parse(list.checked_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(list.data.map((provider) => provider.id)).toEqual(['local', 'stalled', 'flaky']);
    expect(list.data.every((provider) => provider.healthy)).toBe(true);
    // What the real gpu-worker says it serves (GET /v1/models), through the provider's capabilities.
    expect(list.data[0].capabilities).toMatchObject({
      models: ['tiny-shapes', 'safety-checker'],
      async: true,
      cancel: true,
    });
    const { key } = await newTenant(0);
    expect((await call('/v1/admin/providers', { token: key })).status).toBe(401);
  });

  it('keeps jobs off a provider a check found down, and places them once a check finds it back', async () => {
    await setFlakyHealth(false);
    try {
      expect((await checkNow()).data.find((provider) => provider.id === 'flaky')).toMatchObject({ healthy: false });
      const { key } = await newTenant(5);
      const response = await call('/v1/jobs', {
        method: 'POST',
        token: key,
        body: JSON.stringify({ model: 'flaky-shapes', prompt: 'waits for a healthy GPU', start_timeout_seconds: 60 }),
      });
      const { id } = (await response.json()) as { id: string };
      // Long enough for the job's first placements (1 s apart): none of them may reach the provider that is down.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(await waitForJobState(id, key, () => true)).toMatchObject({ status: 'queued' });
      expect(await invocationsOf(id)).toBe(0);

      await setFlakyHealth(true);
      await checkNow();
      // The flaky worker holds a job it is given (it never starts one): its invocation is the proof of placement.
      for (let i = 0; i < 150 && (await invocationsOf(id)) === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await invocationsOf(id)).toBe(1);
      await call(`/v1/jobs/${id}/cancel`, { method: 'POST', token: key });
      expect(await waitForJobState(id, key)).toMatchObject({ status: 'canceled', usage: { credits: 0 } });
    } finally {
      await setFlakyHealth(true);
    }
  });

  it('is read from its object at most once per HEALTH_READ_CACHE_MS in an isolate, then anew', async () => {
    const flakyIn = async (read: ReturnType<typeof currentProviderHealth>) => (await read)?.providers.flaky?.healthy;
    await checkNow();
    // Past any read this isolate made for an earlier test's jobs.
    await new Promise((resolve) => setTimeout(resolve, HEALTH_READ_CACHE_MS));
    const readAt = Date.now();
    expect(await flakyIn(currentProviderHealth(env, readAt))).toBe(true);
    await setFlakyHealth(false);
    try {
      expect((await checkNow()).data.find((provider) => provider.id === 'flaky')).toMatchObject({ healthy: false });
      // Within the interval this isolate answers from its last read, without asking the object.
      expect(await flakyIn(currentProviderHealth(env, readAt + HEALTH_READ_CACHE_MS - 1))).toBe(true);
      // Once it has passed, the object's newer verdict.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, readAt + HEALTH_READ_CACHE_MS - Date.now())));
      expect(await flakyIn(currentProviderHealth(env))).toBe(false);
    } finally {
      await setFlakyHealth(true);
      await checkNow();
    }
  });
});
