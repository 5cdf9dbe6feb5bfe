import type * as pulumi from '@pulumi/pulumi';
import type { HttpProviderConfig } from './deploy-config.ts';

/** What `infra/` needs of an `sst.Secret`: its value, set with `npx sst secret set <Name> <value> --stage <stage>`. */
export interface SecretValue {
  readonly value: pulumi.Output<string>;
}

/** Makes the secret called `name` (`(name) => new sst.Secret(name)` in `sst.config.ts`). */
export type SecretFactory = (name: string) => SecretValue;

/**
 * Each SST secret and the binding it becomes on the router (functions/router/src/env.ts). `WorkerSecret` is also the
 * gpu-worker's secret: on SageMaker it is stored in Secrets Manager and the worker gets its `WORKER_SECRET_ARN`
 * (gpu-worker-secret.ts); external workers are given it as `WORKER_SECRET`. Webhook signing secrets are per tenant, created by the router itself (docs/router.md);
 * the one signing root a deployment sets is `TokenSigningSecret`, for client tokens.
 */
export const ROUTER_SECRET_BINDINGS = {
  AdminSecret: 'ADMIN_SECRET',
  WorkerSecret: 'WORKER_SECRET',
  TokenSigningSecret: 'TOKEN_SIGNING_SECRET',
} as const;

export type RouterSecretName = keyof typeof ROUTER_SECRET_BINDINGS;

export interface Secrets {
  router: Record<RouterSecretName, SecretValue>;
  /** `ModerationApiKey`, the router's `MODERATION_API_KEY`: made only when a moderation endpoint is configured. */
  moderationApiKey?: SecretValue;
  /** Platform tokens of external workers (RunPod's API key, …), by provider id. */
  providerTokens: Record<string, SecretValue>;
}

export function createSecrets(
  newSecret: SecretFactory,
  httpProviders: HttpProviderConfig[],
  moderationEndpoint = false,
): Secrets {
  const names = Object.keys(ROUTER_SECRET_BINDINGS) as RouterSecretName[];
  return {
    router: Object.fromEntries(names.map((name) => [name, newSecret(name)])) as Secrets['router'],
    ...(moderationEndpoint && { moderationApiKey: newSecret('ModerationApiKey') }),
    providerTokens: Object.fromEntries(
      httpProviders
        .filter((provider) => provider.tokenHeader !== undefined)
        .map((provider) => [provider.id, newSecret(providerTokenSecretName(provider.id))]),
    ),
  };
}

/** `run-pod-eu` → `ProviderTokenRunPodEu` (SST secret names are letters and digits, starting with a capital). */
export function providerTokenSecretName(providerId: string): string {
  const words = providerId.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `ProviderToken${words.join('')}`;
}

/** `run-pod-eu` → `PROVIDER_TOKEN_RUN_POD_EU`, the router binding that carries the token. */
export function providerTokenBinding(providerId: string): string {
  return `PROVIDER_TOKEN_${providerId.replaceAll('-', '_').toUpperCase()}`;
}
