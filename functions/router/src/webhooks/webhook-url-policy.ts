import type { Env } from '../env.ts';
import { dohResolver, type WebhookUrlPolicy } from './webhook-url-guard.ts';

/**
 * The SSRF policy for this deployment: production resolves hosts over DNS over HTTPS; `ALLOW_LOCAL_WEBHOOKS=true`
 * (local development and the router's tests only) allows http and local hosts, and then nothing is resolved.
 */
export function webhookUrlPolicy(env: Env): WebhookUrlPolicy {
  return {
    allowLocal: env.ALLOW_LOCAL_WEBHOOKS === 'true',
    resolveHost: dohResolver(),
    extraPorts: webhookPorts(env.WEBHOOK_ALLOWED_PORTS),
  };
}

/** `WEBHOOK_ALLOWED_PORTS`: comma-separated ports a webhook may use besides 443. */
function webhookPorts(value: string | undefined): number[] {
  const ports = (value ?? '')
    .split(',')
    .map((port) => port.trim())
    .filter(Boolean)
    .map(Number);
  const bad = ports.find((port) => !Number.isInteger(port) || port < 1 || port > 65535);
  if (bad !== undefined) {
    throw new Error(`WEBHOOK_ALLOWED_PORTS "${value}" holds ${bad}; use comma-separated ports from 1 to 65535`);
  }
  return ports;
}
