import type { KeyDirectory } from './tenancy/key-directory.ts';
import type { TenantAccount } from './tenancy/tenant-account.ts';

/** The router's bindings (wrangler.jsonc) and secrets. */
export interface Env {
  KEY_DIRECTORY: DurableObjectNamespace<KeyDirectory>;
  TENANT_ACCOUNTS: DurableObjectNamespace<TenantAccount>;
  /** Guards `/v1/admin/*`: `Authorization: Bearer <ADMIN_SECRET>`, at least 32 characters. */
  ADMIN_SECRET: string;
}
