import type { DeployConfig } from './deploy-config.ts';
import { createGpu } from './gpu.ts';
import { createRouter } from './router.ts';
import { createSecrets, type SecretFactory } from './secrets.ts';
import { createStorage } from './storage.ts';

export interface StackArgs {
  stage: string;
  /** Production stages keep their data on `sst remove`: no force-deleting the bucket's objects or the images. */
  production: boolean;
  config: DeployConfig;
  /** Makes a secret by name (`(name) => new sst.Secret(name)` in `sst.config.ts`). */
  newSecret: SecretFactory;
  repositoryRoot: string;
}

/** The whole deployment in dependency order: the bucket, the secrets, the GPU endpoint (unless off), the router. */
export function createStack({ stage, production, config, newSecret, repositoryRoot }: StackArgs) {
  const storage = createStorage({ config, forceDestroy: !production });
  const secrets = createSecrets(newSecret, config.httpProviders, config.moderation.MODERATION_URL !== undefined);
  const gpu =
    config.sagemaker === undefined
      ? undefined
      : createGpu({ config, sagemaker: config.sagemaker, storage, secrets, repositoryRoot, forceDelete: !production });
  const router = createRouter({ name: `stipple-${stage}-router`, repositoryRoot, config, storage, secrets, gpu });
  return { storage, secrets, gpu, router };
}
