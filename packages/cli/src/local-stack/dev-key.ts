import { createHash } from 'node:crypto';
import { StippleError } from '@stipple/core';
import { type AdminTarget, adminRequest } from '../admin-client.ts';
import type { LocalStackState } from './local-stack-state.ts';

/** The tenant the development key belongs to. */
export const DEV_TENANT = 'dev';
/** Credits granted to the development tenant when its account is empty after a key is made for it. */
export const DEV_CREDITS = 1000;

type DevKey = NonNullable<LocalStackState['devKey']>;

/** The tenant's balance as the key sees it, or undefined when the router does not accept the key. */
async function creditsOf(url: string, key: string): Promise<number | undefined> {
  const response = await fetch(`${url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
  if (response.status === 401) return undefined;
  if (!response.ok) throw new StippleError('dev_key_check_failed', `GET /v1/usage answered ${response.status}`);
  return ((await response.json()) as { credits_remaining: number }).credits_remaining;
}

/** The id the router gives a key: `key_` and the first 16 hex digits of its SHA-256 (functions/router admin-routes.ts). */
function keyIdOf(key: string): string {
  return `key_${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/**
 * The development key, made once and kept in the state folder. `DEV_API_KEY` (`requested`) names it, else the saved
 * one is kept while the router accepts it. A key the router does not know yet is made (the requested one imported),
 * the saved one is revoked when it is replaced, and `DEV_CREDITS` are granted when the tenant has none.
 */
export async function ensureDevKey(
  target: AdminTarget,
  saved: DevKey | undefined,
  requested: string | undefined,
): Promise<{ devKey: DevKey; credits: number }> {
  const revokeSaved = async () => {
    if (!saved) return;
    await adminRequest(target, 'DELETE', `/tenants/${saved.tenant}/keys/${saved.id}`).catch((error: StippleError) => {
      if (error.code !== 'unknown_key') throw error;
    });
  };
  const wanted = requested ?? saved?.key;
  const known = wanted === undefined ? undefined : await creditsOf(target.url, wanted);
  if (wanted !== undefined && known !== undefined) {
    if (wanted === saved?.key) return { devKey: saved, credits: known };
    await revokeSaved();
    return { devKey: { id: keyIdOf(wanted), key: wanted, tenant: DEV_TENANT }, credits: known };
  }
  await revokeSaved();
  const created = await adminRequest(
    target,
    'POST',
    `/tenants/${DEV_TENANT}/keys`,
    requested === undefined ? { mode: 'test' } : { key: requested },
  );
  const devKey = { id: created.id as string, key: created.key as string, tenant: DEV_TENANT };
  let credits = (await creditsOf(target.url, devKey.key)) ?? 0;
  if (credits === 0) {
    const granted = await adminRequest(target, 'POST', `/tenants/${DEV_TENANT}/credits`, { credits: DEV_CREDITS });
    credits = granted.credits_remaining as number;
  }
  return { devKey, credits };
}
