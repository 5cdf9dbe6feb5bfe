import type { HttpProviderConfig } from './deploy-config.ts';
import { providerTokenBinding } from './secrets.ts';

/**
 * An `http` entry of the router's `PROVIDERS` (functions/router/src/providers/provider-config.ts); the token itself
 * travels as the secret binding `providerToken.secret` names.
 */
export interface HttpProviderEntry {
  type: 'http';
  id: string;
  url: string;
  models: string[];
  priority?: number;
  weight?: number;
  providerToken?: { header: string; secret: string };
}

/** A `sagemaker-async` entry; the router signs for it with its AWS identity and `WORKER_SECRET`. */
export interface SageMakerAsyncEntry {
  type: 'sagemaker-async';
  id: string;
  endpointName: string;
  region: string;
  models: string[];
  maxBatch: number;
  priority: number;
  input: { keyPrefix: string };
}

export type ProviderEntry = HttpProviderEntry | SageMakerAsyncEntry;

/** SageMaker after external workers: those are usually always on, SageMaker may be scaled to zero. */
export const SAGEMAKER_PRIORITY = 1;

export function httpProviderEntries(providers: HttpProviderConfig[], defaultModels: string[]): HttpProviderEntry[] {
  return providers.map((provider) => ({
    type: 'http',
    id: provider.id,
    url: provider.url,
    models: provider.models ?? defaultModels,
    ...(provider.priority === undefined ? {} : { priority: provider.priority }),
    ...(provider.weight === undefined ? {} : { weight: provider.weight }),
    ...(provider.tokenHeader === undefined
      ? {}
      : { providerToken: { header: provider.tokenHeader, secret: providerTokenBinding(provider.id) } }),
  }));
}
