import { describe, expect, it } from 'vitest';
import { admin, call } from './router-fixture.ts';

interface Envelope {
  error: { message: string; type: string; param: string | null; code: string };
}

/** A key of the right shape that no one has used: 43 base62 characters from fresh random bytes. */
function newKeyText(mode: 'live' | 'test'): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const digits = Array.from(crypto.getRandomValues(new Uint8Array(43)), (byte) => alphabet[byte % 62]).join('');
  return `sk_${mode}_${digits}`;
}

const importKey = (tenantId: string, body: Record<string, unknown>) =>
  admin(`/tenants/${tenantId}/keys`, { method: 'POST', body: JSON.stringify(body) });

describe('admin key import (the local stack’s DEV_API_KEY)', () => {
  it('imports a caller-made key, which then authenticates like a generated one', async () => {
    const tenantId = `t_${crypto.randomUUID().slice(0, 8)}`;
    const key = newKeyText('test');
    const created = await importKey(tenantId, { key });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      key,
      mode: 'test',
      hint: `${key.slice(0, 12)}…`,
      tenant_id: tenantId,
    });
    const usage = await call('/v1/usage', { token: key });
    expect(await usage.json()).toMatchObject({ tenant_id: tenantId, credits_remaining: 0 });
  });

  it('names what is wrong with a key that is not shaped like a Stipple key, without echoing it', async () => {
    const good = newKeyText('live');
    const cases: [string, string][] = [
      ['sk-proj-0123456789', 'does not start with sk_live_ or sk_test_'],
      [good.slice(0, -3), 'has 40 characters after sk_live_; use exactly 43 of 0–9 A–Z a–z'],
      [`${good}x`, 'has 44 characters after sk_live_'],
      [`${good.slice(0, 20)}-${good.slice(21)}`, 'has "-" at position 21; use only 0–9 A–Z a–z after sk_live_'],
    ];
    for (const [key, problem] of cases) {
      const response = await importKey('acme', { key });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as Envelope;
      expect(error).toMatchObject({ code: 'invalid_request', param: 'key' });
      expect(error.message).toContain(problem);
      expect(error.message).not.toContain(key.slice(12));
    }
  });

  it('refuses a mode that contradicts the key, and a key already in use', async () => {
    const key = newKeyText('test');
    const mismatched = await importKey('acme', { key, mode: 'live' });
    expect(mismatched.status).toBe(400);
    expect(((await mismatched.json()) as Envelope).error).toMatchObject({ param: 'mode' });
    const tenantId = `t_${crypto.randomUUID().slice(0, 8)}`;
    expect((await importKey(tenantId, { key })).status).toBe(201);
    const again = await importKey(`${tenantId}_other`, { key });
    expect(again.status).toBe(409);
    expect(((await again.json()) as Envelope).error).toMatchObject({ code: 'key_exists', param: 'key' });
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({ tenant_id: tenantId });
  });

  it('never brings a revoked key back', async () => {
    const tenantId = `t_${crypto.randomUUID().slice(0, 8)}`;
    const key = newKeyText('test');
    const { id } = (await (await importKey(tenantId, { key })).json()) as { id: string };
    expect((await admin(`/tenants/${tenantId}/keys/${id}`, { method: 'DELETE' })).status).toBe(200);
    const again = await importKey(tenantId, { key });
    expect(again.status).toBe(409);
    expect(((await again.json()) as Envelope).error.code).toBe('key_exists');
    const elsewhere = await importKey(`${tenantId}_other`, { key });
    expect(((await elsewhere.json()) as Envelope).error.code).toBe('key_exists');
    expect((await call('/v1/usage', { token: key })).status).toBe(401);
    const listed = (await (await admin(`/tenants/${tenantId}_other/keys`)).json()) as { data: { revoked_at: null }[] };
    expect(listed.data.filter((entry) => entry.revoked_at === null)).toEqual([]);
  });
});
