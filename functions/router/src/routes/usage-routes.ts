import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { roundMegapixelSteps } from '../billing/price-table.ts';
import { tenantAccount } from '../durable-objects.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { apiKeyAuth, responses } from '../openapi/operation-parts.ts';

const usageRoute = createRoute({
  method: 'get',
  path: '/',
  summary:
    'Calls, images, megapixel-steps, credits spent, reserved and remaining for this tenant, and the prompts and images moderation flagged and blocked.',
  ...apiKeyAuth('read'),
  responses: responses({ 200: 'Usage' }),
});

/**
 * `GET /v1/usage`: the tenant's calls, images, megapixel-steps, credits spent, held and remaining, its moderation
 * counts (`content_filter`), and under `key` the calling key's own share.
 */
export const usageRoutes = new OpenAPIHono<AppContext>().openapi(usageRoute, async (c) => {
  const { tenantId, keyId, clientToken } = c.get('caller');
  if (clientToken) {
    throw new ApiError(
      403,
      'secret_key_required',
      "usage is the tenant's account; read it with a secret key, not a client token",
    );
  }
  const account = tenantAccount(c.env, tenantId);
  const [usage, key] = await Promise.all([account.usage(), account.keyUsage(keyId)]);
  return c.json({
    object: 'usage',
    tenant_id: tenantId,
    calls: usage.calls,
    images: usage.images,
    megapixel_steps: roundMegapixelSteps(usage.megapixelSteps),
    credits_spent: usage.creditsSpent,
    credits_reserved: usage.creditsReserved,
    credits_remaining: usage.creditsRemaining,
    // Moderation counts (docs/SAFETY.md): flagged includes blocked; a blocked prompt made no job and no call.
    content_filter: {
      prompts_flagged: usage.contentFilter.promptsFlagged,
      prompts_blocked: usage.contentFilter.promptsBlocked,
      images_flagged: usage.contentFilter.imagesFlagged,
      images_blocked: usage.contentFilter.imagesBlocked,
    },
    // This key's share; credits are the tenant's, so `credits_remaining` above is what this key can still spend.
    key: {
      id: keyId,
      calls: key.calls,
      images: key.images,
      megapixel_steps: roundMegapixelSteps(key.megapixelSteps),
      credits_spent: key.creditsSpent,
    },
  });
});
