import {
  type EdgeStorage,
  HttpProvider,
  type ImageProviderV1,
  SageMakerAsyncProvider,
  SageMakerRealtimeProvider,
} from '@stipple/adapters';
import { z } from 'zod';

/** Where an entry sits in the pool; the rest of the entry is the provider's own settings, which it validates. */
const placement = {
  id: z.string().min(1),
  models: z.array(z.string().min(1)).min(1, { error: 'models is empty; list the model ids this provider serves' }),
  priority: z.int().optional(),
  weight: z.number().positive().optional(),
  maxBatch: z.int().min(1).optional(),
};

/** A SageMaker endpoint running the gpu-worker image. */
const sageMaker = {
  ...placement,
  endpointName: z.string(),
  region: z.string().min(1).optional(),
  /** Overrides for a SageMaker stand-in (tests, LocalStack); default AWS's own URLs for the region. */
  runtimeUrl: z.string().optional(),
  apiUrl: z.string().optional(),
};

/**
 * One `PROVIDERS` entry. `http`: a gpu-worker (yours, Cloud Run, RunPod); `providerToken.secret` names the binding
 * that holds the platform's token (never the token itself). `sagemaker-async` / `sagemaker-realtime`: an endpoint
 * running the gpu-worker image, reached with the edge's AWS identity (`S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`).
 */
const providerConfigSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('http'),
      ...placement,
      url: z.string(),
      providerToken: z.strictObject({ header: z.string().min(1).optional(), secret: z.string().min(1) }).optional(),
    }),
    z.strictObject({ type: z.literal('sagemaker-realtime'), ...sageMaker }),
    z.strictObject({
      type: z.literal('sagemaker-async'),
      ...sageMaker,
      /** Where jobs are staged for SageMaker to read; default the output bucket, `sagemaker-inputs/`. */
      input: z.strictObject({ bucket: z.string().optional(), keyPrefix: z.string().optional() }).optional(),
    }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `type ${JSON.stringify((issue.input as { type?: unknown })?.type)} is not one of http, sagemaker-async, sagemaker-realtime`
        : undefined,
  },
);

export type ProviderConfig = z.output<typeof providerConfigSchema>;

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
}

/** `PROVIDERS` (a JSON list) read and validated; a bad entry is named by its index and field. */
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

function secretBinding(env: ProviderBindings, name: string, entry: string): string {
  const value = (env as unknown as Record<string, unknown>)[name];
  if (typeof value === 'string' && value) return value;
  throw new Error(
    `PROVIDERS entry ${entry} names the secret ${name}, which is not set; add it with wrangler secret put`,
  );
}

/** Builds each configured provider with the router's secrets and result store. */
export function createPoolEntries(env: ProviderBindings, storage: EdgeStorage): PoolEntryConfig[] {
  return readProviderConfigs(env.PROVIDERS).map((config) => {
    const { models, priority, weight } = config;
    if (config.type === 'http') {
      const { id, url, maxBatch, providerToken } = config;
      const token = providerToken && {
        header: providerToken.header,
        value: secretBinding(env, providerToken.secret, id),
      };
      const provider = new HttpProvider({
        id,
        url,
        maxBatch,
        providerToken: token,
        secret: env.WORKER_SECRET,
        storage,
      });
      return { provider, models, priority, weight };
    }
    const aws = {
      region: config.region ?? (env.S3_REGION || 'us-east-1'),
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
      workerSecret: env.WORKER_SECRET,
      storage,
    };
    const { id, endpointName, runtimeUrl, apiUrl, maxBatch } = config;
    const endpoint = { id, endpointName, runtimeUrl, apiUrl, maxBatch, models, ...aws };
    const provider =
      config.type === 'sagemaker-async'
        ? new SageMakerAsyncProvider({ ...endpoint, input: config.input })
        : new SageMakerRealtimeProvider(endpoint);
    return { provider, models, priority, weight };
  });
}
