import type { JobRun } from './jobs/job-run.ts';
import type { ProviderHealth } from './providers/provider-health.ts';
import type { IdempotencyStore } from './tenancy/idempotency-store.ts';
import type { KeyDirectory } from './tenancy/key-directory.ts';
import type { RateLimiter } from './tenancy/rate-limiter.ts';
import type { TenantAccount } from './tenancy/tenant-account.ts';
import type { WebhookOutbox } from './webhooks/webhook-outbox.ts';

/** The router's bindings (wrangler.jsonc) and secrets. */
export interface Env {
  KEY_DIRECTORY: DurableObjectNamespace<KeyDirectory>;
  TENANT_ACCOUNTS: DurableObjectNamespace<TenantAccount>;
  JOB_RUNS: DurableObjectNamespace<JobRun>;
  /** Idempotency-Key records, one object per tenant (`http/idempotency.ts`). */
  IDEMPOTENCY_STORES: DurableObjectNamespace<IdempotencyStore>;
  /** Request rate buckets, one object per API key (`http/enforce-rate-limit.ts`). */
  RATE_LIMITERS: DurableObjectNamespace<RateLimiter>;
  /** Webhook signing secrets and pending deliveries, one object per tenant (`webhooks/webhook-outbox.ts`). */
  WEBHOOK_OUTBOXES: DurableObjectNamespace<WebhookOutbox>;
  /** The providers' shared health checks, one object (`providers/provider-health.ts`). */
  PROVIDER_HEALTH: DurableObjectNamespace<ProviderHealth>;
  /** `true` (exactly) lets webhooks use http and local hosts: local development and tests only. Default off. */
  ALLOW_LOCAL_WEBHOOKS?: string;
  /** Ports webhooks may use besides 443, comma-separated (e.g. `8443`). Default none. */
  WEBHOOK_ALLOWED_PORTS?: string;
  /** Delays before each webhook retry, comma-separated seconds, the last repeating; default `webhook-retry-schedule.ts`. */
  WEBHOOK_RETRY_DELAYS_SECONDS?: string;
  /** Requests per minute each API key may make (a key may have its own, `RateLimiter.setLimit`). Default 600. */
  RATE_LIMIT_REQUESTS_PER_MINUTE?: string;
  /**
   * Requests per minute each end user may make with client tokens (a token without an end user: that token), counted
   * apart from the minting key's own. Default 120.
   */
  CLIENT_TOKEN_RATE_LIMIT_REQUESTS_PER_MINUTE?: string;
  /**
   * Seconds an isolate keeps a key it looked up (`auth/key-cache.ts`); bounds how long a revoked key's client tokens
   * keep working (a secret key stops at once). 0–300, default 10; 0 asks the key directory on every request.
   */
  KEY_CACHE_SECONDS?: string;
  /** Guards `/v1/admin/*`: `Authorization: Bearer <ADMIN_SECRET>`, at least 32 characters. */
  ADMIN_SECRET: string;
  /** The gpu-workers' shared HMAC secret (`WORKER_SECRET` on the workers). */
  WORKER_SECRET: string;
  /**
   * This router's public base URL, e.g. `https://api.example.com`: workers report jobs' events to
   * `{PUBLIC_URL}/internal/jobs/{id}/events`. Unset: the origin each job was created on.
   */
  PUBLIC_URL?: string;
  /** JSON list of GPU providers (`providers/provider-config.ts`): `http` workers and SageMaker endpoints. */
  PROVIDERS: string;
  /** JSON catalogue `{ "<model id>": { "width", "height", "steps" } }`; the first is the default. */
  MODELS?: string;
  /** The result store: endpoint (empty = AWS S3), region, bucket, key prefix, and read/presign credentials. */
  S3_ENDPOINT?: string;
  S3_REGION?: string;
  S3_BUCKET: string;
  S3_KEY_PREFIX?: string;
  /** Where input images live (`POST /v1/uploads`, data URLs, fetched URLs): `{prefix}/{tenant}/{upload id}`. Default `inputs`. */
  S3_INPUT_PREFIX?: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
  /** Signs client tokens (`POST /v1/client-tokens`), 32+ characters; unset = client tokens disabled. */
  TOKEN_SIGNING_SECRET?: string;
  /** Origins allowed by CORS, comma-separated; default `*`. */
  CORS_ORIGINS?: string;
  /**
   * Content safety (docs/SAFETY.md, `safety/moderation-config.ts`). The tenants' default policy: `PROMPT_MODERATION`
   * and `IMAGE_MODERATION` (`off`, `flag` or `block`; default `flag`), `END_USER_BLOCK_THRESHOLD` (blocked attempts
   * after which an end user's client tokens are refused; default never). A tenant may override each (admin API).
   */
  PROMPT_MODERATION?: string;
  IMAGE_MODERATION?: string;
  END_USER_BLOCK_THRESHOLD?: string;
  /** The built-in prompt term list: terms (words or phrases) separated by commas or newlines; matched as whole words, ignoring case. */
  MODERATION_TERMS?: string;
  /** An OpenAI-compatible `POST /v1/moderations` endpoint for prompts (full URL); unset = none. */
  MODERATION_URL?: string;
  /** Its bearer token (a secret); unset = no `Authorization` header. */
  MODERATION_API_KEY?: string;
  /** The `model` sent to it (e.g. `omni-moderation-latest`); unset = its default. */
  MODERATION_MODEL?: string;
  /** How long it may take, ms (1–30000). Default 2000. */
  MODERATION_TIMEOUT_MS?: string;
  /** With no verdict from it under `block`: `closed` (default) refuses the prompt (503), `open` lets it through unchecked. */
  MODERATION_FAILURE?: string;
  /** How long `POST /v1/images/generations` waits for its images before `generation_pending`, seconds. Default 55. */
  SYNC_WAIT_SECONDS?: string;
}
