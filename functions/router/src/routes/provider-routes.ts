import { $, createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { requireAdmin } from '../auth/require-admin.ts';
import { providerHealth } from '../durable-objects.ts';
import type { AppContext } from '../http/app-context.ts';
import { createStorage } from '../jobs/job-services.ts';
import { ADMIN_SECURITY, responses } from '../openapi/operation-parts.ts';
import { createPoolEntries } from '../providers/pool-entries.ts';

/** How long one provider may take to say what it serves before the answer shows `capabilities: null`. */
const CAPABILITIES_TIMEOUT_MS = 5_000;

const providerHealthRoute = createRoute({
  method: 'get',
  path: '/',
  summary: "Every GPU provider's health, checked now (the check jobs rely on).",
  security: ADMIN_SECURITY,
  responses: responses({ 200: '`{ object: "list", checked_at, data: [{ id, healthy, detail }] }`' }),
});

/**
 * For operators: every provider's health, checked now (the same check jobs rely on, which this refreshes), and what it
 * says it serves (`capabilities`: models, batch size, sync/async, cancel, progress; `null` when it did not answer).
 */
export const providerRoutes = $(new OpenAPIHono<AppContext>().use(requireAdmin)).openapi(
  providerHealthRoute,
  async (c) => {
    const entries = createPoolEntries(c.env, createStorage(c.env));
    const [{ checkedAt, providers }, capabilities] = await Promise.all([
      providerHealth(c.env).check(),
      Promise.all(
        entries.map(({ provider }) =>
          provider.capabilities({ abortSignal: AbortSignal.timeout(CAPABILITIES_TIMEOUT_MS) }).catch(() => null),
        ),
      ),
    ]);
    return c.json({
      object: 'list',
      checked_at: checkedAt,
      data: Object.entries(providers).map(([id, report]) => ({
        id,
        healthy: report.healthy,
        detail: report.detail,
        capabilities: capabilities[entries.findIndex((entry) => entry.provider.id === id)] ?? null,
      })),
    });
  },
);
