import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { readDeployConfig } from '../../../infra/deploy-config.ts';
import { createGpu } from '../../../infra/gpu.ts';
import { createRouter } from '../../../infra/router.ts';
import { createSecrets } from '../../../infra/secrets.ts';
import { createStorage } from '../../../infra/storage.ts';
import { installPulumiMocks, registered } from './pulumi-mocks.ts';

export const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A value per secret name, as `sst secret set` would have stored (SST's secret store is in the cloud). */
export const secretValue = (name: string) => `value-of-${name}-0123456789abcdef0123456789`;

/**
 * The whole stack under Pulumi mocks, wired as `sst.config.ts` wires it, for the given `STIPPLE_*` settings. Secrets
 * stand in for `sst.Secret`: a Pulumi secret output per name.
 */
export async function deployUnderMocks(env: Record<string, string> = {}, stage = 'test') {
  const resources = await installPulumiMocks();
  const config = readDeployConfig(env);
  const storage = createStorage({ config, forceDestroy: true });
  const secrets = createSecrets((name) => ({ value: pulumi.secret(secretValue(name)) }), config.httpProviders);
  const gpu =
    config.sagemaker === undefined
      ? undefined
      : createGpu({
          config,
          sagemaker: config.sagemaker,
          storage,
          secrets,
          repositoryRoot: REPOSITORY_ROOT,
          forceDelete: true,
        });
  const router = createRouter({
    name: `stipple-${stage}-router`,
    repositoryRoot: REPOSITORY_ROOT,
    config,
    storage,
    secrets,
    gpu,
  });
  const stack = { storage, gpu, router };
  await registered(stack);
  return { resources, config, ...stack };
}
