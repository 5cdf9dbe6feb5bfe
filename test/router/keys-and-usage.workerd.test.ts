import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { tenantAccount } from '../../functions/router/src/durable-objects.ts';
import type { TenantAccount } from '../../functions/router/src/tenancy/tenant-account.ts';
import { ADMIN_SECRET, admin, call, newTenant } from './router-fixture.ts';

interface Envelope {
  error: { message: string; type: string; param: string | null; code: string };
}

describe('admin keys', () => {
  it('creates a key shown once, lists it by hint only, and revokes it with immediate effect', async () => {
    const { tenantId, key, keyId } = await newTenant();
    expect(key).toMatch(/^sk_live_[0-9A-Za-z]{43}$/);
    const listed = await (await admin(`/tenants/${tenantId}/keys`)).json();
    expect(JSON.stringify(listed)).not.toContain(key);
    expect(listed).toMatchObject({
      object: 'list',
      data: [{ id: keyId, hint: `${key.slice(0, 12)}…`, revoked_at: null }],
    });
    expect((await call('/v1/usage', { token: key })).status).toBe(200);

    expect((await admin(`/tenants/${tenantId}/keys/${keyId}`, { method: 'DELETE' })).status).toBe(200);
    const after = await call('/v1/usage', { token: key });
    expect(after.status).toBe(401);
    expect(((await after.json()) as Envelope).error).toMatchObject({
      code: 'invalid_api_key',
      type: 'authentication_error',
    });
    expect((await admin(`/tenants/${tenantId}/keys/${keyId}`, { method: 'DELETE' })).status).toBe(404);
  });

  it("takes the region a tenant's users are in, and refuses one Cloudflare has no location hint for", async () => {
    const tenantId = `t_${crypto.randomUUID().slice(0, 8)}`;
    const refused = await admin(`/tenants/${tenantId}/keys`, {
      method: 'POST',
      body: JSON.stringify({ region: 'mars' }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Envelope).error).toMatchObject({
      param: 'region',
      message: 'region "mars" is not one of wnam, enam, sam, weur, eeur, apac, oc, afr, me',
    });
    const created = await admin(`/tenants/${tenantId}/keys`, {
      method: 'POST',
      body: JSON.stringify({ region: 'oc' }),
    });
    expect(created.status).toBe(201);
    const granted = await admin(`/tenants/${tenantId}/credits`, {
      method: 'POST',
      body: JSON.stringify({ credits: 5, region: 'oc' }),
    });
    expect(await granted.json()).toMatchObject({ tenant_id: tenantId, credits_remaining: 5 });
  });

  it("refuses an admin scope: tenant administration is the operator's, behind ADMIN_SECRET, never a key's", async () => {
    const tenantId = `t_${crypto.randomUUID().slice(0, 8)}`;
    const refused = await admin(`/tenants/${tenantId}/keys`, {
      method: 'POST',
      body: JSON.stringify({ scopes: ['generate', 'admin'] }),
    });
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as Envelope;
    expect(error.param).toBe('scopes.1');
    expect(error.message).toBe('scopes.1 "admin" is not one of generate, read');
  });

  it('allows two active keys per tenant for rotation, not three', async () => {
    const { tenantId } = await newTenant();
    const second = await admin(`/tenants/${tenantId}/keys`, { method: 'POST', body: JSON.stringify({ mode: 'test' }) });
    expect(second.status).toBe(201);
    expect(((await second.json()) as { key: string }).key).toMatch(/^sk_test_/);
    const third = await admin(`/tenants/${tenantId}/keys`, { method: 'POST', body: '{}' });
    expect(third.status).toBe(409);
    expect(((await third.json()) as Envelope).error.code).toBe('too_many_keys');
  });

  it('refuses admin calls without the admin secret, and bad bodies with the field named', async () => {
    expect((await call('/v1/admin/tenants/acme/keys')).status).toBe(401);
    expect((await call('/v1/admin/tenants/acme/keys', { token: `${ADMIN_SECRET}x` })).status).toBe(401);
    const bad = await admin('/tenants/acme/keys', { method: 'POST', body: JSON.stringify({ scopes: ['everything'] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Envelope).error).toMatchObject({ code: 'invalid_request', param: 'scopes.0' });
    const grant = await admin('/tenants/acme/credits', { method: 'POST', body: JSON.stringify({ credits: -5 }) });
    expect(((await grant.json()) as Envelope).error.param).toBe('credits');
    const tenant = await admin('/tenants/no%20spaces/keys');
    expect(((await tenant.json()) as Envelope).error.code).toBe('invalid_tenant_id');
  });
});

describe('API key authentication', () => {
  it('names what is wrong with the key, and checks scopes', async () => {
    const missing = await call('/v1/usage');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await missing.json()) as Envelope).error.message).toContain('Authorization: Bearer sk_live_');
    const foreign = await call('/v1/usage', { token: 'sk-proj-abc' });
    expect(((await foreign.json()) as Envelope).error.message).toContain('not a Stipple key');
    const unknown = await call('/v1/usage', { token: `sk_live_${'A'.repeat(43)}` });
    expect(((await unknown.json()) as Envelope).error.message).toContain('unknown or revoked');
    const { key } = await newTenant(0, ['generate']);
    const scoped = await call('/v1/usage', { token: key });
    expect(scoped.status).toBe(403);
    expect(((await scoped.json()) as Envelope).error).toMatchObject({
      code: 'missing_scope',
      type: 'permission_error',
    });
  });

  it('puts x-request-id on every response, keeping a sane one the caller sent', async () => {
    const response = await call('/v1/nothing-here', { headers: { 'x-request-id': 'mobile-42' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('mobile-42');
    expect(((await response.json()) as Envelope).error.code).toBe('unknown_route');
    expect((await call('/v1/usage')).headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
  });
});

describe('credits', () => {
  it('reports usage per key: granted credits remain until jobs capture them', async () => {
    const { tenantId, key, keyId } = await newTenant(25);
    const usage = await (await call('/v1/usage', { token: key })).json();
    expect(usage).toEqual({
      object: 'usage',
      tenant_id: tenantId,
      calls: 0,
      images: 0,
      megapixel_steps: 0,
      credits_spent: 0,
      credits_reserved: 0,
      credits_remaining: 25,
      content_filter: { prompts_flagged: 0, prompts_blocked: 0, images_flagged: 0, images_blocked: 0 },
      key: { id: keyId, calls: 0, images: 0, megapixel_steps: 0, credits_spent: 0 },
    });
  });

  it('admits exactly as many concurrent reservations as the balance allows, and settles each once', async () => {
    const { tenantId, key } = await newTenant(10);
    const account = tenantAccount(env, tenantId);
    const price = { credits: 1, images: 1, megapixelSteps: 0.08 };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => account.reserve(`job_${i}`, price)));
    expect(results.filter((result) => result.ok)).toHaveLength(10);
    expect(results.filter((result) => !result.ok)).toHaveLength(40);
    // The calls may reach the object in any order: which ten it admitted is read from the answers.
    const [first, second] = results.flatMap((result, i) => (result.ok ? [`job_${i}`] : []));
    // A retried reservation of an admitted job holds nothing more.
    expect(await account.reserve(first, price)).toEqual({
      ok: true,
      balance: 0,
      policy: { prompts: 'flag', images: 'flag', endUserBlockThreshold: null },
    });
    await account.capture(first);
    await account.capture(first);
    await account.release(second);
    await account.release(second);
    await account.capture(second); // released: a late success cannot charge it
    const usage = await (await call('/v1/usage', { token: key })).json();
    expect(usage).toMatchObject({ calls: 10, images: 1, credits_spent: 1, credits_reserved: 8, credits_remaining: 1 });
    await runInDurableObject(account, (instance: TenantAccount, state) => {
      const rows = state.storage.sql.exec('SELECT state, COUNT(*) AS n FROM reservations GROUP BY state').toArray();
      expect(Object.fromEntries(rows.map((row) => [row.state, row.n]))).toEqual({
        captured: 1,
        released: 1,
        reserved: 8,
      });
      expect(instance.usage().creditsRemaining).toBe(1);
    });
  });
});
