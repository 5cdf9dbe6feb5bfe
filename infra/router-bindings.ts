import type * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { DeployConfig } from './deploy-config.ts';
import type { Gpu } from './gpu.ts';
import { httpProviderEntries, type ProviderEntry, SAGEMAKER_PRIORITY } from './router-providers.ts';
import { providerTokenBinding, ROUTER_SECRET_BINDINGS, type RouterSecretName, type Secrets } from './secrets.ts';
import type { Storage } from './storage.ts';

export interface RouterBindingsArgs {
  config: DeployConfig;
  storage: Storage;
  secrets: Secrets;
  /** The router's AWS identity (`createEdgeCredentials`). */
  edgeKey: aws.iam.AccessKey;
  gpu: Gpu | undefined;
}

export interface RouterBindings {
  vars: Record<string, pulumi.Input<string>>;
  secrets: Record<string, pulumi.Input<string>>;
}

/** Every binding the router reads (functions/router/src/env.ts) besides its Durable Objects, from this stage. */
export function routerBindings(args: RouterBindingsArgs): RouterBindings {
  const { bucket, layout } = args.storage;
  const names = Object.keys(ROUTER_SECRET_BINDINGS) as RouterSecretName[];
  return {
    vars: {
      PROVIDERS: providersJson(args),
      S3_BUCKET: bucket.bucket,
      S3_REGION: bucket.region,
      S3_KEY_PREFIX: layout.outputs,
      S3_INPUT_PREFIX: layout.inputs,
      ...(args.config.modelCatalogue === undefined ? {} : { MODELS: args.config.modelCatalogue }),
      ...args.config.moderation,
    },
    secrets: {
      ...Object.fromEntries(names.map((name) => [ROUTER_SECRET_BINDINGS[name], args.secrets.router[name].value])),
      S3_ACCESS_KEY_ID: args.edgeKey.id,
      S3_SECRET_ACCESS_KEY: args.edgeKey.secret,
      ...(args.secrets.moderationApiKey && { MODERATION_API_KEY: args.secrets.moderationApiKey.value }),
      ...Object.fromEntries(
        Object.entries(args.secrets.providerTokens).map(([id, token]) => [providerTokenBinding(id), token.value]),
      ),
    },
  };
}

/** The router's `PROVIDERS`: the external workers, then the SageMaker endpoint. */
function providersJson(args: RouterBindingsArgs): pulumi.Output<string> {
  const http: ProviderEntry[] = httpProviderEntries(args.config.httpProviders, args.config.models);
  if (args.gpu === undefined) return pulumi.output(JSON.stringify(http));
  const { endpoint, region } = args.gpu;
  const maxBatch = args.config.sagemaker?.maxBatchImages ?? 1;
  return pulumi.all([endpoint.name, region]).apply(([endpointName, endpointRegion]) =>
    JSON.stringify([
      ...http,
      {
        type: 'sagemaker-async',
        id: 'sagemaker',
        endpointName,
        region: endpointRegion,
        models: args.config.models,
        maxBatch,
        priority: SAGEMAKER_PRIORITY,
        input: { keyPrefix: args.storage.layout.sagemakerInputs },
      } satisfies ProviderEntry,
    ]),
  );
}
