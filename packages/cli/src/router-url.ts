import { type LocalStackState, readLocalStackState, stateDirectory } from './local-stack/local-stack-state.ts';

/** The local stack's router, the default target. */
export const DEFAULT_ROUTER_URL = 'http://127.0.0.1:8787';

/**
 * Which router a command talks to: `--url`, else `STIPPLE_URL`, else the local stack's (`npm start`), else the
 * default. `localStack` is the local stack's saved state only when the target is that stack, so its secrets and its
 * development key are never sent to a router named elsewhere.
 */
export function routerUrl(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): { url: string; localStack: LocalStackState | undefined } {
  const saved = readLocalStackState(stateDirectory(env));
  const url = (flag ?? env.STIPPLE_URL ?? saved?.url ?? DEFAULT_ROUTER_URL).replace(/\/$/, '');
  return { url, localStack: saved?.url === url ? saved : undefined };
}
