import { StippleError } from '@stipple/core';
import { apiRequest } from './remote/api-client.ts';
import { routerUrl } from './router-url.ts';

/**
 * Where the router is and how to be its admin: `--url`, else `STIPPLE_URL`, else the local stack's; and
 * `STIPPLE_ADMIN_SECRET` (never argv), else the local stack's own secret when the target is the local stack.
 */
export interface AdminTarget {
  url: string;
  secret: string;
}

export function adminTarget(url: string | undefined, env: NodeJS.ProcessEnv = process.env): AdminTarget {
  const { url: target, localStack, localStackNote } = routerUrl(url, env);
  const secret = env.STIPPLE_ADMIN_SECRET ?? localStack?.adminSecret ?? '';
  if (secret === '') {
    throw new StippleError(
      'missing_admin_secret',
      `no admin secret for ${target}: set STIPPLE_ADMIN_SECRET to the router\u2019s ADMIN_SECRET; ${localStackNote}`,
    );
  }
  return { url: target, secret };
}

/**
 * Calls an admin endpoint (`/v1/admin…`) with the admin secret, through the one router client (remote/api-client.ts):
 * an error envelope becomes an `ApiError` with the router's code and message.
 */
export function adminRequest(
  target: AdminTarget,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  return apiRequest({ url: target.url, key: target.secret }, method, `/v1/admin${path}`, { body });
}
