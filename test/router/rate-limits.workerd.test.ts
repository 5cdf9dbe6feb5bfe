import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { rateLimiter } from '../../functions/router/src/durable-objects.ts';
import { LEASE_MS } from '../../functions/router/src/http/rate-limit-leases.ts';
import { RateLimiter, WRITE_BEHIND_MS } from '../../functions/router/src/tenancy/rate-limiter.ts';
import { admin, call, newTenant } from './router-fixture.ts';

interface Envelope {
  error: { message: string; type: string; code: string };
}

const limiterOf = (keyId: string) => rateLimiter(env, keyId);

function rateHeaders(response: Response) {
  return {
    limit: response.headers.get('x-ratelimit-limit-requests'),
    remaining: response.headers.get('x-ratelimit-remaining-requests'),
    reset: response.headers.get('x-ratelimit-reset-requests'),
  };
}

// The test project binds no RATE_LIMIT_REQUESTS_PER_MINUTE, so every key gets the default 600, which no other suite
// comes near; the suites here give their keys a limit of their own (RateLimiter.setLimit) to reach it in a few calls.
describe('rate limits per API key', () => {
  it("reports the key's bucket in OpenAI's x-ratelimit-* headers, 600 per minute by default", async () => {
    const { key } = await newTenant();
    const response = await call('/v1/usage', { token: key });
    expect(response.status).toBe(200);
    // A new bucket is full: one request takes one of 600 tokens, which refill at 10 per second.
    expect(rateHeaders(response)).toEqual({ limit: '600', remaining: '599', reset: '100ms' });
  });

  it('counts down to the limit, then answers 429 rate_limit_exceeded with Retry-After', async () => {
    const { tenantId, key, keyId } = await newTenant(5);
    await limiterOf(keyId).setLimit(3);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      // The second, a read answered before its limiter decides (the model list needs no object), counts the same.
      const response = await call(i === 1 ? '/v1/models' : '/v1/usage', { token: key });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('3');
      expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?s$/);
      remaining.push(response.headers.get('x-ratelimit-remaining-requests'));
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const refused = await call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify({ prompt: 'x' }) });
    expect(refused.status).toBe(429);
    // 3 per minute refill one token in 20 s; less of it is left to wait the later the request came.
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 20).toBe(true);
    expect(rateHeaders(refused)).toMatchObject({ limit: '3', remaining: '0' });
    expect(((await refused.json()) as Envelope).error).toMatchObject({
      code: 'rate_limit_exceeded',
      type: 'rate_limit_error',
      message: `this API key is limited to 3 requests per minute; retry in ${retryAfter} s`,
    });
    // A read, answered while its limiter decides, is refused the same way: the refusal replaces the answer made.
    const refusedRead = await call('/v1/models', { token: key });
    expect(refusedRead.status).toBe(429);
    expect(Number(refusedRead.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refusedRead.headers.get('content-type')).toMatch(/^application\/json/);
    expect(rateHeaders(refusedRead)).toMatchObject({ limit: '3', remaining: '0' });
    expect(((await refusedRead.json()) as Envelope).error).toMatchObject({ code: 'rate_limit_exceeded' });

    // The limit is the key's: the tenant's second key is not held back, and the refused job was never created.
    const second = await admin(`/tenants/${tenantId}/keys`, { method: 'POST', body: '{}' });
    const { key: otherKey } = (await second.json()) as { key: string };
    const usage = await call('/v1/usage', { token: otherKey });
    expect(usage.status).toBe(200);
    expect(await usage.json()).toMatchObject({ calls: 0, credits_remaining: 5 });
    expect(rateHeaders(usage)).toMatchObject({ limit: '600', remaining: '599' });
  });

  it('puts the headers on error answers to a valid key too, and none on answers to an invalid one', async () => {
    const { key } = await newTenant();
    const missing = await call(`/v1/jobs/job_${'0'.repeat(32)}`, { token: key });
    expect(missing.status).toBe(404);
    expect(rateHeaders(missing)).toMatchObject({ limit: '600', remaining: '599' });
    const unknown = await call('/v1/usage', { token: `sk_live_${'B'.repeat(43)}` });
    expect(unknown.status).toBe(401);
    expect(rateHeaders(unknown)).toEqual({ limit: null, remaining: null, reset: null });
  });

  it('goes back to the deployment limit when a key loses its own, and refuses a limit that is not a count', async () => {
    const { key, keyId } = await newTenant();
    await limiterOf(keyId).setLimit(1);
    expect((await call('/v1/usage', { token: key })).status).toBe(200);
    expect((await call('/v1/usage', { token: key })).status).toBe(429);
    // Changed on the object, as the admin route of another isolate does: this isolate trusts the refusal it was given
    // for LEASE_MS at most (http/rate-limit-leases.ts).
    await limiterOf(keyId).setLimit(null);
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS));
    const after = await call('/v1/usage', { token: key });
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-limit-requests')).toBe('600');
    await runInDurableObject(limiterOf(keyId), (limiter: RateLimiter) => {
      expect(() => limiter.setLimit(0)).toThrow(
        'rate limit 0 is not allowed; use a whole number of requests from 1 up',
      );
    });
  });

  it("sets a key's own limit through the admin API, and returns it to the deployment's with null", async () => {
    const { tenantId, key, keyId } = await newTenant();
    const setLimit = (id: string, body: unknown, tenant = tenantId) =>
      admin(`/tenants/${tenant}/keys/${id}/rate-limit`, { method: 'PUT', body: JSON.stringify(body) });
    const set = await setLimit(keyId, { requests_per_minute: 2 });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ id: keyId, requests_per_minute: 2 });
    expect(rateHeaders(await call('/v1/usage', { token: key }))).toMatchObject({ limit: '2', remaining: '1' });
    expect((await setLimit(keyId, { requests_per_minute: null })).status).toBe(200);
    expect((await call('/v1/usage', { token: key })).headers.get('x-ratelimit-limit-requests')).toBe('600');
    // Only a key the tenant holds: another tenant's key id, or a count that is no count, changes nothing.
    const other = await newTenant();
    const foreign = await setLimit(other.keyId, { requests_per_minute: 5 });
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as Envelope).error.code).toBe('unknown_key');
    expect((await setLimit(keyId, { requests_per_minute: 0 })).status).toBe(400);
    expect((await call('/v1/usage', { token: other.key })).headers.get('x-ratelimit-limit-requests')).toBe('600');
  });
});

describe('rate-limit leases (http/rate-limit-leases.ts)', () => {
  it('stop a key revoked on another isolate once the lease this isolate holds ends, within LEASE_MS', async () => {
    const { key, keyId } = await newTenant();
    // Leases of one token, then two: this isolate holds one token of the key's.
    for (let i = 0; i < 2; i++) expect((await call('/v1/usage', { token: key })).status).toBe(200);
    // Revoked on the object, as the admin route of another isolate does (this isolate also caches the key itself).
    await limiterOf(keyId).revoke();
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS));
    const refused = await call('/v1/usage', { token: key });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as Envelope).error.code).toBe('invalid_api_key');
  });
});

describe('rate limits for client tokens', () => {
  it("gives each end user a bucket apart from the key's: one app user spent locks out neither the backend nor others", async () => {
    const { key, keyId } = await newTenant(5);
    await limiterOf(keyId).setLimit(5);
    const mint = async (endUser: string) => {
      const body = JSON.stringify({ end_user: endUser });
      const response = await call('/v1/client-tokens', { method: 'POST', token: key, body });
      return ((await response.json()) as { token: string }).token;
    };
    const [alice, bob] = [await mint('alice'), await mint('bob')];
    await limiterOf(`${keyId}/user:alice`).setLimit(3);
    for (let i = 0; i < 3; i++) expect((await call('/v1/jobs', { token: alice })).status).toBe(200);
    const refused = await call('/v1/jobs', { token: alice });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as Envelope).error.message).toMatch(
      /^this client token's end user is limited to 3 requests per minute; retry in \d+ s$/,
    );
    // Bob has his own bucket, CLIENT_TOKEN_RATE_LIMIT_REQUESTS_PER_MINUTE (default 120) …
    const his = await call('/v1/jobs', { token: bob });
    expect(his.status).toBe(200);
    expect(rateHeaders(his)).toMatchObject({ limit: '120', remaining: '119' });
    // … and the backend's key has spent only its own two mints.
    const backend = await call('/v1/client-tokens', { method: 'POST', token: key, body: '{}' });
    expect(backend.status).toBe(201);
    expect(rateHeaders(backend)).toMatchObject({ limit: '5', remaining: '2' });
  });

  it('answers from memory and writes the count behind within WRITE_BEHIND_MS: an object restarted over its storage goes on from it', async () => {
    const { keyId } = await newTenant();
    await limiterOf(keyId).setLimit(10);
    // Four leases of one token: what the router's first request on a key in an isolate asks (rate-limit-leases.ts).
    for (let i = 0; i < 4; i++) expect(await limiterOf(keyId).lease(1)).toMatchObject({ granted: 1 });
    await new Promise((resolve) => setTimeout(resolve, WRITE_BEHIND_MS + 250));
    // A second instance over the same storage is what the object is after an eviction: it knows only what was written.
    // 10 refill at one per 6 s, so the 4 taken are still missing; unwritten, it would start from a full bucket.
    const restarted = await runInDurableObject(limiterOf(keyId), (_limiter: RateLimiter, state) => {
      const answer = new RateLimiter(state, env).lease(1);
      return 'revoked' in answer ? answer : { limit: answer.limit, remaining: Math.floor(answer.tokens) };
    });
    expect(restarted).toEqual({ limit: 10, remaining: 5 });
  });
});
