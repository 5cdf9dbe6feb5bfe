import { EdgeStorage, HttpProvider, ProviderPool } from '@stipple/adapters';
import type { Env } from '../env.ts';

/** One `PROVIDERS` entry: an `http` gpu-worker and its place in the pool. */
interface ProviderConfig {
  type: 'http';
  id: string;
  url: string;
  models: string[];
  priority?: number;
  weight?: number;
  maxBatch?: number;
}

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

/**
 * The provider pool from `PROVIDERS` (JSON list). Only `http` workers are wired so far; SageMaker entries come with
 * the infrastructure issue, which provisions their endpoints.
 */
export function createJobServices(env: Env): JobServices {
  const storage = createStorage(env);
  const configs = JSON.parse(env.PROVIDERS || '[]') as ProviderConfig[];
  const providers = configs.map((config) => {
    if (config.type !== 'http')
      throw new Error(`PROVIDERS: provider type "${config.type}" is not supported yet; use http`);
    return {
      provider: new HttpProvider({
        id: config.id,
        url: config.url,
        secret: env.WORKER_SECRET,
        storage,
        maxBatch: config.maxBatch,
      }),
      models: config.models,
      priority: config.priority,
      weight: config.weight,
    };
  });
  return { pool: new ProviderPool({ providers }), storage };
}
