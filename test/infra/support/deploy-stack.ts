import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { readDeployConfig } from '../../../infra/deploy-config.ts';
import { createStack } from '../../../infra/stack.ts';
import { installPulumiMocks, registered } from './pulumi-mocks.ts';

export const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A value per secret name, as `sst secret set` would have stored (SST's secret store is in the cloud). */
export const secretValue = (name: string) => `value-of-${name}-0123456789abcdef0123456789`;

/**
 * The whole stack under Pulumi mocks, as `sst.config.ts` makes it (`infra/stack.ts`), for the given `STIPPLE_*` settings. Secrets
 * stand in for `sst.Secret`: a Pulumi secret output per name.
 */
export async function deployUnderMocks(env: Record<string, string> = {}, stage = 'test') {
  const resources = await installPulumiMocks();
  const config = readDeployConfig(env);
  const newSecret = (name: string) => ({ value: pulumi.secret(secretValue(name)) });
  const { storage, gpu, router } = createStack({
    stage,
    production: false,
    config,
    newSecret,
    repositoryRoot: REPOSITORY_ROOT,
  });
  const stack = { storage, gpu, router };
  await registered(stack);
  return { resources, config, ...stack };
}
