import { StippleError } from '@stipple/core';
import { readLocalStackState, stateDirectory } from './local-stack/local-stack-state.ts';

/**
 * Where the router is and how to be its admin: `--url`, else `STIPPLE_URL`, else the local stack's; and
 * `STIPPLE_ADMIN_SECRET` (never argv), else the local stack's own secret when the target is the local stack.
 */
export interface AdminTarget {
  url: string;
  secret: string;
}

/** The local stack's router, the default target. */
export const DEFAULT_ROUTER_URL = 'http://127.0.0.1:8787';

export function adminTarget(url: string | undefined, env: NodeJS.ProcessEnv = process.env): AdminTarget {
  const localStack = readLocalStackState(stateDirectory(env));
  const target = (url ?? env.STIPPLE_URL ?? localStack?.url ?? DEFAULT_ROUTER_URL).replace(/\/$/, '');
  // The local stack's secret goes to the local stack only, never to a router named elsewhere.
  const secret = env.STIPPLE_ADMIN_SECRET ?? (localStack?.url === target ? localStack.adminSecret : '');
  if (secret === '') {
    throw new StippleError(
      'missing_admin_secret',
      'set STIPPLE_ADMIN_SECRET to the router\u2019s ADMIN_SECRET (the local stack, `npm start`, needs none)',
    );
  }
  return { url: target, secret };
}

/** Calls an admin endpoint; an error envelope becomes a `StippleError` with the router's code and message. */
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
    throw new StippleError(
      'router_unreachable',
      `cannot reach the router at ${target.url} (${(error as Error).cause ?? (error as Error).message}); start it or pass --url`,
    );
  }
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const error = (json.error ?? {}) as { code?: string; message?: string };
    throw new StippleError(
      error.code ?? `http_${response.status}`,
      error.message ?? `the router answered ${response.status}`,
    );
  }
  return json;
}
