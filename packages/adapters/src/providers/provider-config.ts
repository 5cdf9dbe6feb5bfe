import { z } from 'zod';
import type { AwsCredentials } from '../aws/aws-credentials.ts';
import { poolEntrySettingsSchema } from '../pool/provider-pool-options.ts';
import type { Clock } from '../spec/clock.ts';
import type { ImageProviderV1 } from '../spec/image-provider-v1.ts';
import type { EdgeStorage } from '../storage/edge-storage.ts';
import { HttpProvider } from './http/http-provider.ts';
import { httpProviderSettingsSchema } from './http/http-provider-options.ts';
import { sageMakerAsyncSettingsSchema } from './sagemaker-async/sagemaker-async-options.ts';
import { SageMakerAsyncProvider } from './sagemaker-async/sagemaker-async-provider.ts';
import { sageMakerRealtimeSettingsSchema } from './sagemaker-realtime/sagemaker-realtime-options.ts';
import { SageMakerRealtimeProvider } from './sagemaker-realtime/sagemaker-realtime-provider.ts';

/** Where an entry sits in the pool (`poolEntrySettingsSchema`): order, share, what it serves, its time limit. */
const placement = poolEntrySettingsSchema.shape;

/**
 * What a SageMaker entry says: the provider's own settings, less what the deployment injects (the worker secret, the
 * edge's AWS identity; the region defaults to the deployment's).
 */
const injectedBySageMaker = { credentials: true, workerSecret: true } as const;
const sageMakerPlacement = { region: z.string().min(1).optional(), ...placement };

/**
 * One GPU provider as a deployment configures it (the router's `PROVIDERS` entries), keyed by `type`. Each is the
 * provider's own settings schema, less what the deployment injects, plus its place in the pool. `http`'s
 * `providerToken.secret` names where the platform's token is kept (never the token itself).
 */
export const providerConfigSchema = z.discriminatedUnion(
  'type',
  [
    httpProviderSettingsSchema.omit({ secret: true, providerToken: true }).extend({
      type: z.literal('http'),
      ...placement,
      providerToken: z.strictObject({ header: z.string().min(1).optional(), secret: z.string().min(1) }).optional(),
    }),
    sageMakerRealtimeSettingsSchema
      .omit(injectedBySageMaker)
      .extend({ type: z.literal('sagemaker-realtime'), ...sageMakerPlacement }),
    sageMakerAsyncSettingsSchema
      .omit(injectedBySageMaker)
      .extend({ type: z.literal('sagemaker-async'), ...sageMakerPlacement }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `type ${JSON.stringify((issue.input as { type?: unknown })?.type)} is not one of http, sagemaker-async, sagemaker-realtime`
        : undefined,
  },
);

export type ProviderConfig = z.output<typeof providerConfigSchema>;
export type ProviderConfigInput = z.input<typeof providerConfigSchema>;

/** What every provider is built with besides its entry: the deployment's secrets, identity, store, transport. */
export interface ProviderContext {
  /** The workers' `WORKER_SECRET`. */
  workerSecret: string;
  /** The edge's AWS identity (SageMaker calls) and its default region. */
  credentials: AwsCredentials;
  region: string;
  /** Where results are stored: providers read manifests there. */
  storage: EdgeStorage;
  /** The value of a named secret (`providerToken.secret`); throws when it is not set. */
  secret(name: string): string;
  fetch?: typeof fetch;
  clock?: Clock;
}

/** Builds the provider an entry describes, by its `type`; its place in the pool stays with the caller. */
export function createProvider(config: ProviderConfig, context: ProviderContext): ImageProviderV1 {
  const { storage, fetch, clock, workerSecret, credentials } = context;
  const injected = { storage, fetch, clock };
  switch (config.type) {
    case 'http': {
      const { type: _type, models: _models, priority: _p, weight: _w, attemptTimeoutMs: _t, ...settings } = config;
      const { providerToken } = config;
      const token = providerToken && { header: providerToken.header, value: context.secret(providerToken.secret) };
      return new HttpProvider({ ...settings, ...injected, providerToken: token, secret: workerSecret });
    }
    case 'sagemaker-realtime':
    case 'sagemaker-async': {
      const { type, priority: _p, weight: _w, attemptTimeoutMs: _t, ...settings } = config;
      const endpoint = {
        ...settings,
        ...injected,
        region: settings.region ?? context.region,
        credentials,
        workerSecret,
      };
      return type === 'sagemaker-async'
        ? new SageMakerAsyncProvider(endpoint)
        : new SageMakerRealtimeProvider(endpoint);
    }
    default:
      throw new Error(`unknown provider type ${(config as { type: string }).type}`);
  }
}
