import { exports } from 'cloudflare:workers';

/** The admin secret the router's test project binds (vitest.config.ts). */
export const ADMIN_SECRET = 'router-test-admin-secret-0123456789abcdef';

/** A request to the router under test, in the same workerd as the test. */
export function call(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return (exports as { default: Fetcher }).default.fetch(`https://api.stipple.test${path}`, { ...init, headers });
}

export const admin = (path: string, init: RequestInit = {}) =>
  call(`/v1/admin${path}`, { ...init, token: ADMIN_SECRET });

/** A new tenant with one key (and credits when asked); returns the key. */
export async function newTenant(
  credits = 0,
  scopes?: string[],
): Promise<{ tenantId: string; key: string; keyId: string }> {
  const tenantId = `t_${crypto.randomUUID().slice(0, 8)}`;
  const created = await admin(`/tenants/${tenantId}/keys`, {
    method: 'POST',
    body: JSON.stringify(scopes ? { scopes } : {}),
  });
  const { key, id } = (await created.json()) as { key: string; id: string };
  if (credits > 0) await admin(`/tenants/${tenantId}/credits`, { method: 'POST', body: JSON.stringify({ credits }) });
  return { tenantId, key, keyId: id };
}

/** Polls a job until `done` holds for it (by default: until it has ended); fails after 30 s. */
export async function waitForJobState<Job extends { status: string }>(
  id: string,
  token: string,
  done: (job: Job) => boolean = (job) => !['queued', 'running'].includes(job.status),
): Promise<Job> {
  for (let i = 0; i < 300; i++) {
    const job = (await (await call(`/v1/jobs/${id}`, { token })).json()) as Job;
    if (done(job)) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${id} never reached the state waited for`);
}
