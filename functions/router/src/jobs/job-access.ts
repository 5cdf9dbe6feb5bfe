import type { KeyRecord } from '../tenancy/key-directory.ts';
import type { JobRecord } from './job-record.ts';

/**
 * Who sees which job. A secret key sees its tenant's jobs. A client token, held by one end user's app, sees only the
 * jobs made for that end user (or, with no end user, by that token), so one app user can neither list nor read
 * another's. These are also the lists a job is indexed under for `GET /v1/jobs`.
 */
export function jobListScopes(caller: KeyRecord): string[] {
  const token = caller.clientToken;
  if (!token) return [caller.keyId];
  return [
    caller.keyId,
    token.endUser !== undefined ? `${caller.keyId}/user:${token.endUser}` : `${caller.keyId}/token:${token.id}`,
  ];
}

/** The one list the caller reads: the narrowest of its scopes. */
export function callerListScope(caller: KeyRecord): string {
  return jobListScopes(caller).at(-1)!;
}

export function canSeeJob(caller: KeyRecord, record: JobRecord): boolean {
  if (record.tenantId !== caller.tenantId) return false;
  const token = caller.clientToken;
  if (!token) return true;
  if (token.endUser !== undefined) return record.endUser === token.endUser;
  return record.clientTokenId === token.id;
}
