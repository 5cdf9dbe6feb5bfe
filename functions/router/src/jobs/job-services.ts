import { EdgeStorage, ProviderPool } from '@stipple/adapters';
import type { Env } from '../env.ts';
import { createPoolEntries } from '../providers/pool-entries.ts';
import { readRouterConfig } from '../router-config.ts';

export interface JobServices {
  pool: ProviderPool;
  storage: EdgeStorage;
}

/** The result store, as the edge reaches it (aws4fetch-signed; any S3-compatible endpoint). */
export function createStorage(env: Env): EdgeStorage {
  return new EdgeStorage(readRouterConfig(env).storage);
}

/** The provider pool from `PROVIDERS` (`provider-config.ts`) and the result store. */
export function createJobServices(env: Env): JobServices {
  const storage = createStorage(env);
  return { pool: new ProviderPool({ providers: createPoolEntries(env, storage) }), storage };
}
