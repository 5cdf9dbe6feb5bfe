import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { afterEach, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT, secretValue } from './support/deploy-stack.ts';
import { type Inputs, installPulumiMocks, MOCK_WORKERS_DEV_URL, resolved } from './support/pulumi-mocks.ts';

interface SstConfig {
  app(input: { stage: string }): Inputs;
  run(): Promise<Inputs>;
}

const globals = globalThis as Record<string, unknown>;

/**
 * sst.config.ts as SST evaluates it: `$config` returns its argument, `$app` names the stage, and `sst.Secret` stands
 * in for SST's secret store (in the cloud). Imported by URL so the root typecheck, which has no SST types, skips it.
 */
async function loadSstConfig(stage: string): Promise<SstConfig> {
  globals.$config = (config: SstConfig) => config;
  globals.$app = { name: 'stipple', stage };
  globals.sst = {
    Secret: class {
      readonly value: pulumi.Output<string>;
      constructor(name: string) {
        this.value = pulumi.secret(secretValue(name));
      }
    },
  };
  const url = pathToFileURL(join(REPOSITORY_ROOT, 'sst.config.ts')).href;
  return ((await import(/* @vite-ignore */ url)) as { default: SstConfig }).default;
}

afterEach(() => {
  for (const name of ['$config', '$app', 'sst']) delete globals[name];
});

describe('sst.config.ts', () => {
  it('retains and protects production stages, and removes the others', async () => {
    const config = await loadSstConfig('prod');
    expect(config.app({ stage: 'prod' })).toMatchObject({
      name: 'stipple',
      home: 'aws',
      removal: 'retain',
      protect: true,
    });
    expect(config.app({ stage: 'production' })).toMatchObject({ removal: 'retain', protect: true });
    expect(config.app({ stage: 'alice' })).toMatchObject({ removal: 'remove', protect: false });
  });

  it('pins the providers SST deploys with to the versions the unit tests load', async () => {
    const config = await loadSstConfig('test');
    const { providers } = config.app({ stage: 'test' });
    const lock = JSON.parse((await import('node:fs')).readFileSync(join(REPOSITORY_ROOT, 'package-lock.json'), 'utf8'));
    for (const [name, version] of Object.entries(providers)) {
      expect(lock.packages[`node_modules/@pulumi/${name}`]?.version, `@pulumi/${name}`).toBe(version);
    }
  });

  it('wires the stack in run() and returns the API URL and the bucket', async () => {
    const resources = await installPulumiMocks();
    const config = await loadSstConfig('test');
    const outputs = await config.run();
    expect(await resolved(outputs.api)).toBe(MOCK_WORKERS_DEV_URL);
    expect(await resolved(outputs.bucket)).toMatch(/^stipple-results-/);
    expect(await resolved(outputs.sagemakerEndpoint)).toBeTruthy();
    const types = new Set(resources.map((resource) => resource.type));
    for (const type of ['aws:s3/bucket:Bucket', 'aws:sagemaker/endpoint:Endpoint', 'command:local:Command']) {
      expect(types).toContain(type);
    }
  });
});
