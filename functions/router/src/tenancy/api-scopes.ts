/**
 * What a key or client token may do: `generate` jobs (and cancel them, and mint client tokens), `read` jobs, models and
 * usage. Tenant administration (keys, credits) is the operator's, behind `ADMIN_SECRET`, never a key's. A client
 * token holds a subset of its minting key's scopes.
 */
export const API_SCOPES = ['generate', 'read'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export function isApiScope(scope: string): scope is ApiScope {
  return (API_SCOPES as readonly string[]).includes(scope);
}
