import { Hono } from 'hono';
import { requireAdmin } from '../auth/require-admin.ts';
import type { AppContext } from '../http/app-context.ts';
import { providerHealth } from '../providers/provider-health.ts';

/** For operators: every provider's health, checked now (the same check jobs rely on, which this refreshes). */
export const providerRoutes = new Hono<AppContext>().use(requireAdmin).get('/', async (c) => {
  const { checkedAt, providers } = await providerHealth(c.env).check();
  return c.json({
    object: 'list',
    checked_at: checkedAt,
    data: Object.entries(providers).map(([id, report]) => ({ id, healthy: report.healthy, detail: report.detail })),
  });
});
