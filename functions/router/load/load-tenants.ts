import { type AdminTarget, adminRequest } from '../../../packages/cli/src/admin-client.ts';

/** A tenant made for the load: its key and what it was granted. */
export interface LoadTenant {
  tenantId: string;
  key: string;
  keyId: string;
  granted: number;
}

/**
 * A tenant with a new test key and `credits` granted, through the admin API as an operator makes one. The key gets
 * its own rate limit (`requestsPerMinute`) unless undefined, when the deployment's stays (600 a minute by default).
 */
export async function createLoadTenant(
  admin: AdminTarget,
  tenantId: string,
  credits: number,
  requestsPerMinute: number | undefined,
): Promise<LoadTenant> {
  const created = await adminRequest(admin, 'POST', `/tenants/${tenantId}/keys`, { mode: 'test' });
  const keyId = created.id as string;
  if (credits > 0) await adminRequest(admin, 'POST', `/tenants/${tenantId}/credits`, { credits });
  if (requestsPerMinute !== undefined) {
    const path = `/tenants/${tenantId}/keys/${keyId}/rate-limit`;
    await adminRequest(admin, 'PUT', path, { requests_per_minute: requestsPerMinute });
  }
  return { tenantId, key: created.key as string, keyId, granted: credits };
}

/** `GET /v1/usage` with the tenant's key: its credits spent, held and remaining. */
export async function readCredits(routerUrl: string, key: string) {
  const response = await fetch(`${routerUrl}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) throw new Error(`GET /v1/usage answered ${response.status}: ${await response.text()}`);
  const usage = (await response.json()) as {
    credits_spent: number;
    credits_reserved: number;
    credits_remaining: number;
  };
  return { spent: usage.credits_spent, reserved: usage.credits_reserved, remaining: usage.credits_remaining };
}
