import type { Env } from './env.ts';
import type { TenantRegion } from './tenancy/tenant-region.ts';

/**
 * How the router finds each of its Durable Objects: one typed accessor per namespace (wrangler.jsonc), each naming the
 * object it addresses the one way every caller must, so two callers can never reach two objects for one thing.
 */

/** The object `name` addresses in `namespace`, as a typed RPC stub. */
function byName<T extends Rpc.DurableObjectBranded>(
  namespace: DurableObjectNamespace<T>,
  name: string,
  locationHint?: TenantRegion,
): DurableObjectStub<T> {
  return namespace.get(namespace.idFromName(name), locationHint && { locationHint });
}

/** One job's life (`jobs/job-run.ts`), by job id. */
export const jobRun = (env: Env, jobId: string) => byName(env.JOB_RUNS, jobId);

/**
 * A tenant's credits, keys and usage (`tenancy/tenant-account.ts`), by tenant id. `region`: where to create it if this
 * call creates it (the admin API's `region`); otherwise it is created near the call, like every object.
 */
export const tenantAccount = (env: Env, tenantId: string, region?: TenantRegion) =>
  byName(env.TENANT_ACCOUNTS, tenantId, region);

/** Directory shards: one object per first hex digit of the key digest, so lookups spread over 16 objects. */
export function keyDirectoryShard(digest: string): string {
  return `keys-${digest[0]}`;
}

/** The key directory shard (`tenancy/key-directory.ts`) that holds a key digest. */
export const keyDirectory = (env: Env, digest: string) => byName(env.KEY_DIRECTORY, keyDirectoryShard(digest));

/** A tenant's Idempotency-Key records (`tenancy/idempotency-store.ts`). */
export const idempotencyStore = (env: Env, tenantId: string) => byName(env.IDEMPOTENCY_STORES, tenantId);

/** A request rate bucket (`tenancy/rate-limiter.ts`): an API key's id, or a client token's end user. */
export const rateLimiter = (env: Env, bucket: string) => byName(env.RATE_LIMITERS, bucket);

/** A tenant's webhook signing secrets and pending deliveries (`webhooks/webhook-outbox.ts`). */
export const webhookOutbox = (env: Env, tenantId: string) => byName(env.WEBHOOK_OUTBOXES, tenantId);

/** The deployment's one provider health record (`providers/provider-health.ts`). */
export const providerHealth = (env: Env) => byName(env.PROVIDER_HEALTH, 'providers');
