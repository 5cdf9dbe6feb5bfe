import type { AwsCredentials, ProviderConfig } from '@stipple/adapters';
import { type CatalogueModel, readCatalogue } from './jobs/model-catalogue.ts';
import { readProviderConfigs } from './providers/provider-config.ts';
import { type ModerationBindings, type ModerationConfig, readModerationConfig } from './safety/moderation-config.ts';

/** `S3_REGION` when unset or empty: AWS's default region, as on the gpu-workers. */
const DEFAULT_S3_REGION = 'us-east-1';

/**
 * The bindings the config is read from: a subset of the router's `Env` (`env.ts` documents each), written out so
 * that Node tests can hand in just these without the Workers types.
 */
export interface RouterConfigBindings extends ModerationBindings {
  MODELS?: string;
  PROVIDERS?: string;
  S3_ENDPOINT?: string;
  S3_REGION?: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
}

/** The result store as the edge reaches it, and the AWS identity SageMaker providers sign with. */
export interface StorageSettings {
  /** `S3_ENDPOINT`; undefined (unset or empty) = AWS S3 in `region`. */
  endpoint: string | undefined;
  /** `S3_REGION`, default `us-east-1`; also the default region of SageMaker providers. */
  region: string;
  /** `S3_ACCESS_KEY_ID` and `S3_SECRET_ACCESS_KEY`. */
  credentials: AwsCredentials;
}

/** What the router reads from its bindings beyond the Durable Objects and secrets used as they are. */
export interface RouterConfig {
  /**
   * `MODELS` read into the catalogue (`jobs/model-catalogue.ts`); the first is the default. Parsed on first use, so a
   * bad value fails what needs the catalogue (creating a job, listing models) and nothing else.
   */
  readonly models: readonly CatalogueModel[];
  /**
   * `PROVIDERS` validated (`providers/provider-config.ts`). Parsed on first use, so a bad value fails placement (the
   * job ends `providers_misconfigured`) and the provider checks, and nothing else.
   */
  readonly providers: readonly ProviderConfig[];
  /**
   * The content-safety bindings (`safety/moderation-config.ts`): the tenants' default policy and the prompt
   * moderators. Parsed on first use, so a bad value fails job creation (and the tenant policy's reads) only.
   */
  readonly moderation: ModerationConfig;
  readonly storage: StorageSettings;
}

/** Each bindings object's config: bindings do not change within an isolate, so each is read once. */
const configs = new WeakMap<RouterConfigBindings, RouterConfig>();

function parseRouterConfig(env: RouterConfigBindings): RouterConfig {
  let models: CatalogueModel[] | undefined;
  let providers: ProviderConfig[] | undefined;
  let moderation: ModerationConfig | undefined;
  return {
    get models() {
      models ??= readCatalogue(env.MODELS);
      return models;
    },
    get providers() {
      providers ??= readProviderConfigs(env.PROVIDERS);
      return providers;
    },
    get moderation() {
      moderation ??= readModerationConfig(env);
      return moderation;
    },
    storage: {
      endpoint: env.S3_ENDPOINT || undefined,
      region: env.S3_REGION || DEFAULT_S3_REGION,
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
    },
  };
}

/** The router's configuration from its bindings, read once per bindings object (per isolate, in practice). */
export function readRouterConfig(env: RouterConfigBindings): RouterConfig {
  let config = configs.get(env);
  if (config === undefined) {
    config = parseRouterConfig(env);
    configs.set(env, config);
  }
  return config;
}
