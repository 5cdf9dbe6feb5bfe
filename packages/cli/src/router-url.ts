import { type LocalStackState, readLocalStackState, stateDirectory } from './local-stack/local-stack-state.ts';

/** The local stack's router, the default target. */
export const DEFAULT_ROUTER_URL = 'http://127.0.0.1:8787';

/** The router a command talks to, and the local stack's saved state when that router is the local stack. */
export interface RouterTarget {
  url: string;
  localStack: LocalStackState | undefined;
  /**
   * Why the local stack's own credentials do not apply here, for an error that asks for them: the state folder read,
   * and the URL of the stack it belongs to.
   */
  localStackNote: string;
}

/**
 * Which router a command talks to: `--url`, else `STIPPLE_URL`, else the local stack's (`npm start`), else the
 * default. `localStack` is the local stack's saved state only when the target is that stack, so its secrets and its
 * development key are never sent to a router named elsewhere.
 */
export function routerUrl(flag: string | undefined, env: NodeJS.ProcessEnv): RouterTarget {
  const stateDir = stateDirectory(env);
  const saved = readLocalStackState(stateDir);
  const url = (flag ?? env.STIPPLE_URL ?? saved?.url ?? DEFAULT_ROUTER_URL).replace(/\/$/, '');
  const localStackNote = saved?.url
    ? `the local stack's own credentials go only to its router, ${saved.url} (state in ${stateDir}); for a stack ` +
      'with another state folder, set STIPPLE_STATE_DIR to that folder'
    : `no local stack has run with the state folder ${stateDir} (npm start; STIPPLE_STATE_DIR names another)`;
  return { url, localStack: saved?.url === url ? saved : undefined, localStackNote };
}
