import { env } from 'cloudflare:workers';
import { signRequest } from '@stipple/jobs';
import { parseJsonEvents } from '@stipple/test-support/server-sent-events';
import { describe, expect, it } from 'vitest';
import { callbackToken, jobEventsPath } from '../../functions/router/src/jobs/job-callback.ts';
import { admin, call, newTenant, waitForJobState } from './router-fixture.ts';

async function postEvent(jobId: string, body: unknown, secret: string, query = '') {
  const text = JSON.stringify(body);
  const path = jobEventsPath(jobId);
  const headers = await signRequest({
    secret,
    method: 'POST',
    path,
    body: text,
    timestamp: Math.floor(Date.now() / 1000),
  });
  return call(`${path}${query}`, {
    method: 'POST',
    body: text,
    headers: { ...headers, 'content-type': 'application/json' },
  });
}

describe('POST /internal/jobs/:id/events', () => {
  it("refuses an event not signed with the job's own token, or about another job", async () => {
    const { key } = await newTenant(10);
    const created = (await (
      await call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify({ prompt: 'a cat', steps: 4 }) })
    ).json()) as { id: string };
    const started = { jobId: created.id, tenantId: 'x', status: 'started' };
    const otherJobsToken = await callbackToken(env.WORKER_SECRET, 'job_00000000000000000000000000000000');
    const forged = await postEvent(created.id, started, otherJobsToken);
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('invalid_signature');
    const ownToken = await callbackToken(env.WORKER_SECRET, created.id);
    const misaddressed = await postEvent(created.id, { ...started, jobId: 'job_1' }, ownToken);
    expect(misaddressed.status).toBe(400);
    // The signature covers the query: the signed path with a query added is another request.
    const withQuery = await postEvent(created.id, started, ownToken, '?x=1');
    expect(withQuery.status).toBe(401);
    expect(((await withQuery.json()) as { error: { message: string } }).error.message).toBe(
      "the event's signature is mismatch; sign it with the job's token",
    );
    await waitForJobState(created.id, key);
  });
});

describe("a failed job's error", () => {
  it('shows its stable code and a message of our own, never the text the worker or the store reported', async () => {
    const { key } = await newTenant(100);
    const created = (await (
      await call('/v1/jobs', {
        method: 'POST',
        token: key,
        body: JSON.stringify({ prompt: 'a cat', steps: 150, width: 256, height: 256 }),
      })
    ).json()) as { id: string };
    const internal = 'AccessDenied: arn:aws:s3:::acme-private/outputs/t_1/0.png (endpoint 10.0.3.7:9000)';
    const failed = { jobId: created.id, tenantId: 'x', status: 'failed', code: 'storage_denied', message: internal };
    const token = await callbackToken(env.WORKER_SECRET, created.id);
    expect((await postEvent(created.id, failed, token)).ok).toBe(true);
    const ended = await waitForJobState<{ status: string; error: unknown }>(created.id, key);
    expect(ended).toMatchObject({
      status: 'failed',
      error: { code: 'storage_denied', message: 'the result store refused to take the images; nothing was charged' },
    });
    expect(JSON.stringify(ended)).not.toContain('acme-private');
  });
});

describe('GET /v1/jobs/:id/events after the key is revoked', () => {
  it('ends the stream with invalid_api_key and never sends the final job', async () => {
    const { tenantId, key, keyId } = await newTenant(100);
    const created = (await (
      await call('/v1/jobs', {
        method: 'POST',
        token: key,
        body: JSON.stringify({ prompt: 'a cat', steps: 150, width: 64, height: 64 }),
      })
    ).json()) as { id: string };
    const stream = await call(`/v1/jobs/${created.id}/events`, { token: key });
    expect(stream.status).toBe(200);
    expect((await admin(`/tenants/${tenantId}/keys/${keyId}`, { method: 'DELETE' })).ok).toBe(true);
    const events = parseJsonEvents(await stream.text());
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { error: { code: 'invalid_api_key' } } });
    expect(events.some((event) => event.event === 'succeeded')).toBe(false);
  });
});
