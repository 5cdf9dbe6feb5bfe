import { Hono } from 'hono';
import { requireKey } from '../auth/require-key.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';

/** `GET /v1/usage`: the calling key's tenant: calls, images, megapixel-steps, credits spent, held and remaining. */
export const usageRoutes = new Hono<AppContext>().get('/', requireKey('read'), async (c) => {
  const { tenantId, clientToken } = c.get('caller');
  if (clientToken) {
    throw new ApiError(
      403,
      'secret_key_required',
      "usage is the tenant's account; read it with a secret key, not a client token",
    );
  }
  const usage = await c.env.TENANT_ACCOUNTS.get(c.env.TENANT_ACCOUNTS.idFromName(tenantId)).usage();
  return c.json({
    object: 'usage',
    tenant_id: tenantId,
    calls: usage.calls,
    images: usage.images,
    megapixel_steps: usage.megapixelSteps,
    credits_spent: usage.creditsSpent,
    credits_reserved: usage.creditsReserved,
    credits_remaining: usage.creditsRemaining,
  });
});
