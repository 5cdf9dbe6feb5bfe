/**
 * What a deployment may choose, read from `STIPPLE_*` environment variables when `sst deploy` runs (docs/DEPLOY.md).
 * Secrets are not here: they are `sst secret set` values (`secrets.ts`).
 */
export interface DeployConfig {
  /** `STIPPLE_KEY_PREFIX`: where workers write results and the edge reads them. Default `outputs`. */
  keyPrefix: string;
  /** `STIPPLE_OUTPUT_EXPIRY_DAYS`: days before results (and SageMaker's staged jobs) are deleted. Default 30. */
  outputExpiryDays: number;
  /** `STIPPLE_INPUT_EXPIRY_DAYS`: days before input images (uploads, data URLs, fetched URLs) are deleted. Default 1. */
  inputExpiryDays: number;
  /** `STIPPLE_CORS_ORIGINS`: origins that may GET results from a browser, comma-separated. Default `*`. */
  corsOrigins: string[];
  /** `STIPPLE_MODELS`: model ids the GPU workers serve, comma-separated. Default `tiny-shapes`. */
  models: string[];
  /**
   * `STIPPLE_MODEL_REGISTRY`: the worker's `MODEL_REGISTRY`: inline JSON (models under `s3://{bucket}/models/…`) or a
   * registry file inside the image; unset = tiny-shapes only.
   */
  modelRegistryPath: string | undefined;
  /** `STIPPLE_MODEL_CATALOGUE`: the router's `MODELS` catalogue (JSON); unset = the router's default. */
  modelCatalogue: string | undefined;
  /** `STIPPLE_ROUTER_DOMAIN`: a custom domain for the router on a zone of the Cloudflare account. */
  routerDomain: string | undefined;
  /** The SageMaker asynchronous endpoint, or undefined with `STIPPLE_SAGEMAKER=off` (external workers only). */
  sagemaker: SageMakerConfig | undefined;
  /** `STIPPLE_HTTP_PROVIDERS`: external gpu-workers (Cloud Run, RunPod), JSON list. Default none. */
  httpProviders: HttpProviderConfig[];
  /**
   * The router's content-safety bindings (docs/SAFETY.md), each from `STIPPLE_<binding>` when set and passed as it is:
   * the router checks them (`readModerationConfig`), and a bad one fails its requests naming the binding. The
   * endpoint's key is the `ModerationApiKey` secret, made when `MODERATION_URL` is set.
   */
  moderation: Partial<Record<(typeof MODERATION_BINDINGS)[number], string>>;
}

export interface SageMakerConfig {
  /** `STIPPLE_SAGEMAKER_INSTANCE_TYPE`; default `ml.g5.xlarge` (one NVIDIA A10G, 24 GB). */
  instanceType: string;
  /** `STIPPLE_SAGEMAKER_MAX_INSTANCES`: the autoscaling ceiling; the floor is always 0. Default 1. */
  maxInstances: number;
  /** `STIPPLE_SAGEMAKER_BACKLOG_PER_INSTANCE`: queued requests per instance the autoscaler aims at. Default 4. */
  backlogPerInstance: number;
  /** `STIPPLE_MAX_BATCH_IMAGES`: the worker's `MAX_BATCH_IMAGES` (images per batch). Default 4. */
  maxBatchImages: number;
}

/** An external gpu-worker reached over HTTPS (`http` provider in the router's `PROVIDERS`). */
export interface HttpProviderConfig {
  /** Pool id, letters, digits and hyphens; also names its token secret (`ProviderToken<Id>`). */
  id: string;
  url: string;
  /** Model ids it serves; default the deployment's `models`. */
  models?: string[];
  priority?: number;
  weight?: number;
  /** Header that carries its platform token (RunPod: `authorization`); unset = no token. */
  tokenHeader?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const PROVIDER_ID = /^[a-z0-9](-?[a-z0-9])*$/;

export function readDeployConfig(env: Env): DeployConfig {
  const sagemakerSetting = value(env, 'STIPPLE_SAGEMAKER') ?? 'on';
  if (sagemakerSetting !== 'on' && sagemakerSetting !== 'off') {
    throw new Error(`STIPPLE_SAGEMAKER is "${sagemakerSetting}"; use on or off`);
  }
  const providers = httpProviders(env);
  if (sagemakerSetting === 'off' && providers.length === 0) {
    throw new Error('STIPPLE_SAGEMAKER is off and STIPPLE_HTTP_PROVIDERS is empty; the router would have no GPU');
  }
  return {
    keyPrefix: value(env, 'STIPPLE_KEY_PREFIX') ?? 'outputs',
    outputExpiryDays: integer(env, 'STIPPLE_OUTPUT_EXPIRY_DAYS', 30, 1),
    inputExpiryDays: integer(env, 'STIPPLE_INPUT_EXPIRY_DAYS', 1, 1),
    corsOrigins: list(env, 'STIPPLE_CORS_ORIGINS', ['*']),
    models: list(env, 'STIPPLE_MODELS', ['tiny-shapes']),
    modelRegistryPath: value(env, 'STIPPLE_MODEL_REGISTRY'),
    modelCatalogue: value(env, 'STIPPLE_MODEL_CATALOGUE'),
    routerDomain: value(env, 'STIPPLE_ROUTER_DOMAIN'),
    sagemaker:
      sagemakerSetting === 'off'
        ? undefined
        : {
            instanceType: value(env, 'STIPPLE_SAGEMAKER_INSTANCE_TYPE') ?? 'ml.g5.xlarge',
            maxInstances: integer(env, 'STIPPLE_SAGEMAKER_MAX_INSTANCES', 1, 1),
            backlogPerInstance: integer(env, 'STIPPLE_SAGEMAKER_BACKLOG_PER_INSTANCE', 4, 1),
            maxBatchImages: integer(env, 'STIPPLE_MAX_BATCH_IMAGES', 4, 1),
          },
    httpProviders: providers,
    moderation: moderationBindings(env),
  };
}

/** The router's content-safety bindings a deployment sets as `STIPPLE_<binding>` (the key is a secret, not here). */
const MODERATION_BINDINGS = [
  'PROMPT_MODERATION',
  'IMAGE_MODERATION',
  'END_USER_BLOCK_THRESHOLD',
  'MODERATION_TERMS',
  'MODERATION_URL',
  'MODERATION_MODEL',
  'MODERATION_TIMEOUT_MS',
  'MODERATION_FAILURE',
] as const;

/** The moderation settings given (`STIPPLE_PROMPT_MODERATION` …), under the router's binding names. */
function moderationBindings(env: Env): DeployConfig['moderation'] {
  return Object.fromEntries(
    MODERATION_BINDINGS.flatMap((name) => {
      const setting = value(env, `STIPPLE_${name}`);
      return setting === undefined ? [] : [[name, setting]];
    }),
  );
}

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function integer(env: Env, name: string, fallback: number, min: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (Number.isInteger(parsed) && parsed >= min) return parsed;
  throw new Error(`${name} is "${raw}"; use an integer of at least ${min}`);
}

function list(env: Env, name: string, fallback: string[]): string[] {
  const items = (value(env, name) ?? '').split(',').map((item) => item.trim());
  const given = items.filter(Boolean);
  return given.length > 0 ? given : fallback;
}

function httpProviders(env: Env): HttpProviderConfig[] {
  const raw = value(env, 'STIPPLE_HTTP_PROVIDERS');
  if (raw === undefined) return [];
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed)) throw new Error('STIPPLE_HTTP_PROVIDERS must be a JSON list of { id, url, … }');
  return parsed.map((entry: HttpProviderConfig, index) => {
    if (typeof entry?.id !== 'string' || !PROVIDER_ID.test(entry.id)) {
      throw new Error(
        `STIPPLE_HTTP_PROVIDERS[${index}].id is ${JSON.stringify(entry?.id)}; use lowercase letters, digits and hyphens`,
      );
    }
    if (typeof entry.url !== 'string' || !URL.canParse(entry.url) || new URL(entry.url).protocol !== 'https:') {
      throw new Error(`STIPPLE_HTTP_PROVIDERS[${index}].url is ${JSON.stringify(entry.url)}; use an https:// URL`);
    }
    return entry;
  });
}
