import { createProvider, type EdgeStorage, type ImageProviderV1 } from '@stipple/adapters';
import { type RouterConfigBindings, readRouterConfig } from '../router-config.ts';

/** The bindings providers are built from (a subset of the router's `Env`; the secrets a token names come along). */
export interface ProviderBindings extends RouterConfigBindings {
  WORKER_SECRET: string;
}

export interface PoolEntryConfig {
  provider: ImageProviderV1;
  models: string[];
  priority?: number;
  weight?: number;
  attemptTimeoutMs?: number;
}

/** Builds each configured provider (`createProvider`) with the router's secrets, AWS identity and result store. */
export function createPoolEntries(env: ProviderBindings, storage: EdgeStorage): PoolEntryConfig[] {
  const { providers, storage: settings } = readRouterConfig(env);
  const context = {
    workerSecret: env.WORKER_SECRET,
    credentials: settings.credentials,
    region: settings.region,
    storage,
  };
  return providers.map((config) => {
    const secret = (name: string) => {
      const value = (env as unknown as Record<string, unknown>)[name];
      if (typeof value === 'string' && value) return value;
      throw new Error(
        `PROVIDERS entry ${config.id} names the secret ${name}, which is not set; add it with wrangler secret put`,
      );
    };
    const { models, priority, weight, attemptTimeoutMs } = config;
    return { provider: createProvider(config, { ...context, secret }), models, priority, weight, attemptTimeoutMs };
  });
}
