import { z } from '@hono/zod-openapi';

/**
 * Where a tenant's account object may be placed: Cloudflare's Durable Object location hints
 * (https://developers.cloudflare.com/durable-objects/reference/data-location/). A hint takes effect when the object is
 * created, on its first call, and is best effort; later calls cannot move it.
 */
export const TENANT_REGIONS = ['wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me'] as const;

export type TenantRegion = (typeof TENANT_REGIONS)[number];

/** The admin API's `region` field (keys and credits): where the tenant's users are, for a tenant not yet created. */
export const tenantRegionSchema = z.enum(TENANT_REGIONS).optional().meta({
  description:
    "Where the tenant's users are, so its account is created near them: wnam (western North America), enam (eastern North America), sam (South America), weur, eeur (Europe), apac (Asia-Pacific), oc (Oceania), afr (Africa), me (Middle East). Used only by the call that creates the tenant's account; a tenant's account never moves.",
});
