import {
  createProvider,
  type EdgeStorage,
  type ImageProviderV1,
  type ProviderConfig,
  providerConfigSchema,
} from '@stipple/adapters';
import { z } from 'zod';

/** The bindings providers are built from (a subset of the router's `Env`; the secrets a token names come along). */
export interface ProviderBindings {
  PROVIDERS?: string;
  WORKER_SECRET: string;
  S3_REGION?: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
}

export interface PoolEntryConfig {
  provider: ImageProviderV1;
  models: string[];
  priority?: number;
  weight?: number;
  attemptTimeoutMs?: number;
}

/**
 * `PROVIDERS` (a JSON list of `@stipple/adapters` `providerConfigSchema` entries) read and validated; a bad entry is
 * named by its index and field.
 */
export function readProviderConfigs(json: string | undefined): ProviderConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json || '[]');
  } catch (error) {
    throw new Error(`PROVIDERS is not JSON (${(error as Error).message}); see docs/router.md, "Configuration"`);
  }
  const result = z.array(providerConfigSchema).safeParse(parsed);
  if (result.success) return result.data;
  const [index, ...field] = result.error.issues[0].path;
  const where = `PROVIDERS${index === undefined ? '' : `[${String(index)}]`}${field.map((part) => `.${String(part)}`).join('')}`;
  throw new Error(`${where}: ${result.error.issues[0].message}; see docs/router.md, "Configuration"`);
}

/** Builds each configured provider (`createProvider`) with the router's secrets, AWS identity and result store. */
export function createPoolEntries(env: ProviderBindings, storage: EdgeStorage): PoolEntryConfig[] {
  const context = {
    workerSecret: env.WORKER_SECRET,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
    region: env.S3_REGION || 'us-east-1',
    storage,
  };
  return readProviderConfigs(env.PROVIDERS).map((config) => {
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
