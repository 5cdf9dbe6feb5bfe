import { type Context, Hono } from 'hono';
import { requireKey } from '../auth/require-key.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';

/**
 * The tenant's outbox, for a caller holding a secret key. The secret lets its holder forge deliveries to the tenant's
 * receivers, so client tokens (which live in apps and browsers) never see it.
 */
function secretKeyOutbox(c: Context<AppContext>) {
  const caller = c.get('caller');
  if (caller.clientToken) {
    throw new ApiError(
      403,
      'secret_key_required',
      'client tokens cannot read or rotate the webhook secret; call this from your backend with a secret key',
    );
  }
  // Signing secrets are credentials: never cached on the way.
  c.header('cache-control', 'no-store');
  return c.env.WEBHOOK_OUTBOXES.get(c.env.WEBHOOK_OUTBOXES.idFromName(caller.tenantId));
}

/**
 * `GET /v1/webhooks/secret` and `POST /v1/webhooks/secret/rotate`: the tenant's `whsec_` signing secret
 * (docs/router.md, "Webhooks"). Both need the `generate` scope, the one that subscribes webhooks to jobs: whoever sets a webhook is who
 * verifies it, while a `read` key (a dashboard) has no need of a credential that can forge deliveries.
 */
export const webhookRoutes = new Hono<AppContext>()
  .get('/secret', requireKey('generate'), async (c) => c.json({ key: await secretKeyOutbox(c).secret() }))
  .post('/secret/rotate', requireKey('generate'), async (c) =>
    c.json({ key: await secretKeyOutbox(c).rotateSecret() }),
  );
