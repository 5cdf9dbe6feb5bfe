import { ApiError } from '../errors/api-error.ts';
import type { EndUserStanding } from '../tenancy/tenant-account.ts';

/**
 * `403 end_user_blocked`: the client token's end user reached the tenant's threshold of blocked attempts
 * (`end_user_block_threshold`), so their tokens make no jobs and no new ones are minted until the tenant's operator
 * resets them (`DELETE /v1/admin/tenants/{tenant_id}/end-users/{end_user}/blocked-attempts`).
 */
export function endUserBlockedError(standing: EndUserStanding): ApiError {
  return new ApiError(
    403,
    'end_user_blocked',
    `end user ${standing.endUser} is blocked: ${standing.blockedAttempts} of their requests were refused by the content policy (the threshold is ${standing.threshold}); the service's operator can reset them`,
  );
}
