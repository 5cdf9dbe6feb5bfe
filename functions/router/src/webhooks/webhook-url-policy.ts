import type { Env } from '../env.ts';
import { dohResolver, type WebhookUrlPolicy } from './webhook-url-guard.ts';

/**
 * The SSRF policy for this deployment: production resolves hosts over DNS over HTTPS; `ALLOW_LOCAL_WEBHOOKS=true`
 * (local development and the router's tests only) allows http and local hosts, and then nothing is resolved.
 */
export function webhookUrlPolicy(env: Env): WebhookUrlPolicy {
  return { allowLocal: env.ALLOW_LOCAL_WEBHOOKS === 'true', resolveHost: dohResolver() };
}
