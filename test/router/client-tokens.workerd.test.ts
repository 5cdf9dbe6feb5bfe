import { describe, expect, it } from 'vitest';
import { admin, call, newTenant, waitForJobState } from './router-fixture.ts';

interface Envelope {
  error: { code: string; message: string };
}

async function mint(key: string, body: Record<string, unknown> = {}) {
  const response = await call('/v1/client-tokens', { method: 'POST', token: key, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function job(token: string, body: Record<string, unknown> = { prompt: 'a red circle' }) {
  const response = await call('/v1/jobs', { method: 'POST', token, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & Envelope };
}

describe('client tokens', () => {
  it('let an app generate and read without the secret key, billed to the tenant and bound to its end user', async () => {
    const { key } = await newTenant(5);
    const minted = await mint(key, { end_user: 'user-42', ttl_seconds: 600 });
    expect(minted.status).toBe(201);
    const token = minted.body.token as string;
    expect(token).toMatch(/^ct_/);
    expect(minted.body).toMatchObject({ object: 'client_token', scopes: ['generate', 'read'], end_user: 'user-42' });
    const created = await job(token);
    expect(created.status).toBe(202);
    expect(created.body.end_user).toBe('user-42');
    const read = await call(`/v1/jobs/${created.body.id}`, { token });
    expect(read.status).toBe(200);
    // Billed to the minting tenant: its usage shows the job.
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({ calls: 1 });
  });

  it('enforce their credit cap, their scopes, and cannot mint more tokens', async () => {
    const { key } = await newTenant(10);
    const capped = (await mint(key, { max_credits: 2 })).body.token as string;
    expect((await job(capped, { prompt: 'x', n: 2 })).status).toBe(202);
    const over = await job(capped);
    expect(over.status).toBe(402);
    expect(over.body.error).toMatchObject({ code: 'client_token_credit_cap' });
    expect(over.body.error.message).toContain('may spend 0 more (cap 2)');
    // The tenant itself still has credits.
    expect((await job(key)).status).toBe(202);

    const readOnly = (await mint(key, { scopes: ['read'] })).body.token as string;
    expect((await job(readOnly)).status).toBe(403);
    const again = await mint(capped);
    expect(again.status).toBe(403);
    expect((again.body as unknown as Envelope).error.code).toBe('secret_key_required');
    expect((await mint(key, { scopes: ['admin'] })).status).toBe(400);
    expect((await mint(key, { ttl_seconds: 7200 })).status).toBe(400);
  });

  it("hold only scopes their key holds: never more, and by default the key's own", async () => {
    const { key } = await newTenant(5, ['generate']);
    const wider = await mint(key, { scopes: ['generate', 'read'] });
    expect(wider.status).toBe(403);
    expect((wider.body as unknown as Envelope).error).toMatchObject({
      code: 'missing_scope',
      message: "scopes read are not held by this key; a client token may hold only its key's scopes (generate)",
    });
    const minted = await mint(key);
    expect(minted.status).toBe(201);
    expect(minted.body.scopes).toEqual(['generate']);
    const token = minted.body.token as string;
    const created = await job(token);
    expect(created.status).toBe(202);
    expect((await call(`/v1/jobs/${created.body.id}`, { token })).status).toBe(403);
    await waitForJobState(created.body.id as string, key);
  });

  it('die with the key that minted them, and are refused when forged', async () => {
    const { tenantId, key, keyId } = await newTenant(3);
    const token = (await mint(key)).body.token as string;
    expect((await call('/v1/jobs', { token })).status).toBe(200);
    // One character changed mid-token (the last one may hold only base64 padding bits, which decode the same).
    const middle = Math.floor(token.length / 2);
    const forged = `${token.slice(0, middle)}${token[middle] === 'A' ? 'B' : 'A'}${token.slice(middle + 1)}`;
    expect(((await (await call('/v1/usage', { token: forged })).json()) as Envelope).error.code).toBe(
      'invalid_api_key',
    );
    await admin(`/tenants/${tenantId}/keys/${keyId}`, { method: 'DELETE' });
    // The key itself stops at once; its client tokens once the isolates' key cache lets go (KEY_CACHE_SECONDS: 2 here).
    expect((await call('/v1/usage', { token: key })).status).toBe(401);
    const revokedAt = Date.now();
    let after = await call('/v1/jobs', { token });
    while (after.status === 200 && Date.now() - revokedAt < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await call('/v1/jobs', { token });
    }
    expect(after.status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(2_000 + 1_000);
    expect(((await after.json()) as Envelope).error.message).toBe('the key that minted this client token was revoked');
  });

  it("follow their end user across the tenant's keys when reading a job by id; the list is the minting key's", async () => {
    const { tenantId, key } = await newTenant(10);
    const second = await admin(`/tenants/${tenantId}/keys`, { method: 'POST', body: '{}' });
    const rotated = ((await second.json()) as { key: string }).key;
    const made = (await job((await mint(key, { end_user: 'alice' })).body.token as string)).body.id as string;
    // Intended: a key rotation must not hide an end user's jobs from her, so reading by id goes by tenant and end user.
    const aliceViaRotated = (await mint(rotated, { end_user: 'alice' })).body.token as string;
    expect((await call(`/v1/jobs/${made}`, { token: aliceViaRotated })).status).toBe(200);
    const listed = (await (await call('/v1/jobs', { token: aliceViaRotated })).json()) as { data: unknown[] };
    expect(listed.data).toEqual([]);
    // Another end user, or a token with none, through either key: as if the job did not exist.
    const bobViaRotated = (await mint(rotated, { end_user: 'bob' })).body.token as string;
    expect((await call(`/v1/jobs/${made}`, { token: bobViaRotated })).status).toBe(404);
    expect((await call(`/v1/jobs/${made}`, { token: (await mint(rotated)).body.token as string })).status).toBe(404);
    await waitForJobState(made, key);
  });

  it("keep one end user's jobs from another's, and keep the tenant's usage from apps", async () => {
    const { key } = await newTenant(10);
    const alice = (await mint(key, { end_user: 'alice' })).body.token as string;
    const bob = (await mint(key, { end_user: 'bob' })).body.token as string;
    const anonymous = (await mint(key)).body.token as string;
    const hers = (await job(alice)).body.id as string;
    const theirs = (await job(anonymous)).body.id as string;
    const list = async (token: string) =>
      ((await (await call('/v1/jobs', { token })).json()) as { data: { id: string }[] }).data.map((item) => item.id);
    expect(await list(alice)).toEqual([hers]);
    expect(await list(bob)).toEqual([]);
    expect(await list(anonymous)).toEqual([theirs]);
    expect((await call(`/v1/jobs/${hers}`, { token: bob })).status).toBe(404);
    expect((await call(`/v1/jobs/${hers}`, { token: anonymous })).status).toBe(404);
    // A new token for the same end user sees her jobs; the secret key sees them all.
    const aliceAgain = (await mint(key, { end_user: 'alice' })).body.token as string;
    expect((await call(`/v1/jobs/${hers}`, { token: aliceAgain })).status).toBe(200);
    expect(new Set(await list(key))).toEqual(new Set([hers, theirs]));
    const usage = await call('/v1/usage', { token: alice });
    expect(usage.status).toBe(403);
  });
});
