import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, newTenant, waitForJobState } from './router-fixture.ts';

/** The worker that never starts a job (@stipple/test-support/stalled-worker), bound by vitest.config.ts. */
const STALLED_URL = (env as unknown as { TEST_STALLED_WORKER_URL: string }).TEST_STALLED_WORKER_URL;

/** A call as the stalled worker recorded it (`StalledWorkerCall` there; that module is Node's, not workerd's). */
interface StalledWorkerCall {
  method: string;
  path: string;
  jobId?: string;
}

interface JobView {
  id: string;
  status: string;
  started_at: string | null;
  usage: { credits: number };
  outputs: unknown[];
  error: { code: string; message: string } | null;
}

async function create(key: string, body: unknown): Promise<JobView> {
  const response = await call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify(body) });
  expect(response.status).toBe(202);
  return (await response.json()) as JobView;
}

async function callsFor(jobId: string): Promise<StalledWorkerCall[]> {
  const calls = (await (await fetch(`${STALLED_URL}/calls`)).json()) as StalledWorkerCall[];
  return calls.filter((entry) => entry.jobId === jobId);
}

async function expectAbortedUncharged(key: string, job: JobView, seconds: number): Promise<void> {
  expect(job).toMatchObject({
    status: 'aborted',
    started_at: null,
    outputs: [],
    usage: { credits: 0 },
    error: { code: 'start_deadline_exceeded' },
  });
  expect(job.error?.message).toContain(`within ${seconds} s (start_timeout_seconds)`);
  expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({
    credits_spent: 0,
    credits_remaining: 5,
  });
}

describe('start_timeout_seconds: the time-to-start deadline', () => {
  it('keeps a job queued while every provider is busy, retrying placement, then aborts it uncharged', async () => {
    const { key } = await newTenant(5);
    const created = await create(key, { model: 'busy-shapes', prompt: 'waits for a GPU', start_timeout_seconds: 3 });
    const waiting = await waitForJobState<JobView>(created.id, key, () => true);
    expect(waiting).toMatchObject({ status: 'queued', started_at: null, usage: { credits: 1 } });

    const ended = await waitForJobState<JobView>(created.id, key);
    await expectAbortedUncharged(key, ended, 3);
    // The busy worker was asked more than once: the job waited for capacity rather than failing at the first 503.
    const invocations = (await callsFor(created.id)).filter((entry) => entry.path === '/invocations');
    expect(invocations.length).toBeGreaterThan(1);
  });

  it('aborts a job a provider holds queued past the deadline, and cancels it there', async () => {
    const { key } = await newTenant(5);
    const created = await create(key, { model: 'stalled-shapes', prompt: 'never starts', start_timeout_seconds: 2 });
    const ended = await waitForJobState<JobView>(created.id, key);
    await expectAbortedUncharged(key, ended, 2);
    const calls = await callsFor(created.id);
    expect(calls.map((entry) => entry.method)).toEqual(['POST', 'DELETE']);
  });

  it('starts a job a free worker takes at once, with started_at, and charges it as usual', async () => {
    const { key } = await newTenant(5);
    const created = await create(key, { prompt: 'a red circle', start_timeout_seconds: 30 });
    const ended = await waitForJobState<JobView>(created.id, key);
    expect(ended).toMatchObject({ status: 'succeeded', usage: { credits: 1 }, error: null });
    expect(Date.parse(ended.started_at ?? '')).toBeGreaterThan(0);
  });

  it('refuses a start deadline beyond the total deadline, naming both', async () => {
    const { key } = await newTenant(5);
    const response = await call('/v1/jobs', {
      method: 'POST',
      token: key,
      body: JSON.stringify({ prompt: 'x', start_timeout_seconds: 120, timeout_seconds: 60 }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'invalid_request',
        param: 'start_timeout_seconds',
        message: 'start_timeout_seconds (120) must not exceed timeout_seconds (60)',
      },
    });
  });
});
