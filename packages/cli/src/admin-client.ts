import { StippleError } from '@stipple/core';
import { apiErrorFromEnvelope } from '@stipple/jobs';
import { unreachable } from './remote/api-client.ts';
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

/** Calls an admin endpoint; an error envelope becomes an `ApiError` (a `StippleError`) with the router's code and message. */
export async function adminRequest(
  target: AdminTarget,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(`${target.url}/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${target.secret}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw unreachable(target.url, error);
  }
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw apiErrorFromEnvelope(response.status, json);
  return json;
}
