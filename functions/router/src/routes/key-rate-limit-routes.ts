import { $, createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { requireAdmin } from '../auth/require-admin.ts';
import { rateLimiter, tenantAccount } from '../durable-objects.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { rateLimitLeases } from '../http/enforce-rate-limit.ts';
import { parseBody } from '../http/parse-body.ts';
import { ADMIN_SECURITY, jsonBody, responses } from '../openapi/operation-parts.ts';
import { tenantIdOf, tenantPath } from './admin-routes.ts';

const rateLimitSchema = z.strictObject({
  requests_per_minute: z.int().min(1).nullable().meta({
    description:
      "The key's own limit, requests per minute; null = the deployment's (`RATE_LIMIT_REQUESTS_PER_MINUTE`).",
  }),
});

const setRateLimitRoute = createRoute({
  method: 'put',
  path: '/tenants/{tenant_id}/keys/{key_id}/rate-limit',
  summary: "Give an active key its own request rate limit, or (`null`) return it to the deployment's.",
  security: ADMIN_SECURITY,
  request: { params: tenantPath.params.extend({ key_id: z.string() }), body: jsonBody(rateLimitSchema) },
  responses: responses({
    200: '`{ id, requests_per_minute }`',
    404: 'The tenant has no active key with this id',
  }),
});

/**
 * A key's own rate limit (`RateLimiter.setLimit`, docs/router.md "Rate limits"), for the operator: a tenant that needs
 * more than the deployment's limit, or a load test that must not be throttled. Only a key the tenant holds active.
 */
export const keyRateLimitRoutes = $(new OpenAPIHono<AppContext>().use(requireAdmin)).openapi(
  setRateLimitRoute,
  async (c) => {
    const tenantId = tenantIdOf(c.req.param('tenant_id'));
    const keyId = c.req.param('key_id');
    const { requests_per_minute } = await parseBody(c, rateLimitSchema);
    if (!(await tenantAccount(c.env, tenantId).activeKeyDigest(keyId))) {
      throw new ApiError(404, 'unknown_key', `tenant ${tenantId} has no active key ${keyId}`, { param: 'key_id' });
    }
    // A key's bucket is named by its id (http/enforce-rate-limit.ts). Isolates holding its tokens spend them for
    // LEASE_MS at most (http/rate-limit-leases.ts); this one asks the limiter on the key's next request.
    await rateLimiter(c.env, keyId).setLimit(requests_per_minute);
    rateLimitLeases.forget(keyId);
    return c.json({ id: keyId, requests_per_minute });
  },
);
