import { $, OpenAPIHono } from '@hono/zod-openapi';
import type { AppContext } from './http/app-context.ts';
import { handleError, notFound } from './http/error-handler.ts';
import { allowCors, limitBody } from './http/request-guards.ts';
import { requestId } from './http/request-id.ts';
import { logRequest } from './http/request-log.ts';
import { rejectInvalidRequest } from './http/validation-hook.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { clientTokenRoutes } from './routes/client-token-routes.ts';
import { docsRoutes } from './routes/docs-routes.ts';
import { faviconRoutes } from './routes/favicon-routes.ts';
import { jobEventRoutes } from './routes/job-event-routes.ts';
import { jobRoutes } from './routes/job-routes.ts';
import { keyRateLimitRoutes } from './routes/key-rate-limit-routes.ts';
import { moderationAdminRoutes } from './routes/moderation-admin-routes.ts';
import { openaiRoutes } from './routes/openai-routes.ts';
import { playgroundRoutes } from './routes/playground-routes.ts';
import { providerRoutes } from './routes/provider-routes.ts';
import { uploadRoutes } from './routes/upload-routes.ts';
import { usageRoutes } from './routes/usage-routes.ts';
import { webhookRoutes } from './routes/webhook-routes.ts';

/**
 * The public API (docs/router.md). Routes live in `routes/`; this file only wires them. The API's routes are
 * declared with zod-openapi's `createRoute`, and `/openapi.json` is generated from them, in the order mounted here.
 */
export function createApp(): OpenAPIHono<AppContext> {
  const app = new OpenAPIHono<AppContext>({ defaultHook: rejectInvalidRequest });
  return $(
    app
      .use(requestId)
      .use(logRequest)
      .use(allowCors)
      .use(limitBody)
      .route('/', docsRoutes(app))
      .route('/', faviconRoutes)
      .route('/', playgroundRoutes)
      .route('/v1/uploads', uploadRoutes)
      .route('/v1/jobs', jobRoutes)
      .route('/internal', jobEventRoutes)
      .route('/v1', openaiRoutes)
      .route('/v1/client-tokens', clientTokenRoutes)
      .route('/v1/webhooks', webhookRoutes)
      .route('/v1/usage', usageRoutes)
      .route('/v1/admin', adminRoutes)
      .route('/v1/admin', keyRateLimitRoutes)
      .route('/v1/admin', moderationAdminRoutes)
      .route('/v1/admin/providers', providerRoutes)
      .notFound(notFound)
      .onError(handleError),
  );
}
