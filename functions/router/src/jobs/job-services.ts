import { EdgeStorage, ProviderPool } from '@stipple/adapters';
import type { Env } from '../env.ts';
import { createPoolEntries } from '../providers/provider-config.ts';

export interface JobServices {
  pool: ProviderPool;
  storage: EdgeStorage;
}

/** The result store, as the edge reaches it (aws4fetch-signed; any S3-compatible endpoint). */
export function createStorage(env: Env): EdgeStorage {
  return new EdgeStorage({
    endpoint: env.S3_ENDPOINT || undefined,
    region: env.S3_REGION || 'us-east-1',
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
  });
}

/** The provider pool from `PROVIDERS` (`provider-config.ts`) and the result store. */
export function createJobServices(env: Env): JobServices {
  const storage = createStorage(env);
  return { pool: new ProviderPool({ providers: createPoolEntries(env, storage) }), storage };
}
