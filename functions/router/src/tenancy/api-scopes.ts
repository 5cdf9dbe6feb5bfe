/** What a key or client token may do: `generate` jobs, `read` jobs and usage, `admin` its tenant's keys. */
export const API_SCOPES = ['generate', 'read', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];
