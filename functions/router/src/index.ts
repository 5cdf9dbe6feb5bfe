import { createApp } from './app.ts';

export { JobRun } from './jobs/job-run.ts';
export { ProviderHealth } from './providers/provider-health.ts';
export { IdempotencyStore } from './tenancy/idempotency-store.ts';
export { KeyDirectory } from './tenancy/key-directory.ts';
export { RateLimiter } from './tenancy/rate-limiter.ts';
export { TenantAccount } from './tenancy/tenant-account.ts';
export { WebhookOutbox } from './webhooks/webhook-outbox.ts';

export default createApp();
