import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readS3Config } from '../../functions/gpu-worker/src/s3-config.ts';
import { readWorkerConfig } from '../../functions/gpu-worker/src/worker-config.ts';
import { ROUTER_SECRET_BINDINGS } from '../../infra/secrets.ts';
import { variablesTheWorkerReads } from '../worker-variables.ts';
import { deployUnderMocks, REPOSITORY_ROOT, secretValue } from './support/deploy-stack.ts';
import { resolved, theResource } from './support/pulumi-mocks.ts';

type Env = Record<string, string | undefined>;

/** `ENV A=… B=…` of the worker's Dockerfile (its final stage). */
function dockerfileEnvironment(): Env {
  const dockerfile = readFileSync(join(REPOSITORY_ROOT, 'functions/gpu-worker/Dockerfile'), 'utf8');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env: Env = {};
  for (const block of finalStage.matchAll(/^ENV ((?:.*\\\n)*.*)$/gm)) {
    for (const [, name, value] of block[1].matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)) env[name] = value;
  }
  return env;
}

async function containerEnvironment(env: Record<string, string> = {}): Promise<Record<string, string>> {
  return (await deployedEnvironment(env)).environment;
}

async function deployedEnvironment(env: Record<string, string> = {}) {
  const stack = await deployUnderMocks(env);
  const model = theResource(stack.resources, 'aws:sagemaker/model:Model');
  const environment: Record<string, string> = model.inputs.primaryContainer.environment;
  return { ...stack, environment };
}

describe('the gpu-worker environment on SageMaker', () => {
  it('sets only variables the gpu-worker reads', async () => {
    const known = variablesTheWorkerReads();
    expect(known).toContain('WORKER_SECRET');
    expect(known).toContain('WORKER_SECRET_ARN');
    const environment = await containerEnvironment({ STIPPLE_MODEL_REGISTRY: '/app/models/registry.json' });
    for (const name of Object.keys(environment)) expect(known, `${name} is not read by the gpu-worker`).toContain(name);
    for (const name of Object.keys(dockerfileEnvironment())) {
      if (name !== 'NODE_ENV') expect(known, `the Dockerfile sets ${name}`).toContain(name);
    }
  });

  it('is a configuration the gpu-worker accepts, with the deployment’s secret, region, models and batch size', async () => {
    const { environment, gpu } = await deployedEnvironment({
      STIPPLE_MODELS: 'tiny-shapes,sd-turbo',
      STIPPLE_MAX_BATCH_IMAGES: '6',
    });
    const env = { ...dockerfileEnvironment(), ...environment };
    const worker = readWorkerConfig(env);
    expect(worker.secret).toEqual({
      kind: 'secrets-manager',
      arn: await resolved(gpu!.workerSecret.secret.arn),
      region: 'eu-west-1',
    });
    expect(worker.preloadModels).toEqual(['tiny-shapes', 'sd-turbo']);
    expect(worker.maxBatchImages).toBe(6);
    expect(worker.executionProviders).toEqual(['cuda', 'cpu']);
    expect(worker.port).toBe(8080);
    const s3 = readS3Config(env);
    expect(s3).toMatchObject({
      endpoint: undefined,
      region: 'eu-west-1',
      credentials: undefined,
      conditionalWrites: true,
    });
  });

  it('holds no secret value, only the ARN of the secret that stores the worker’s', async () => {
    const { environment, resources, gpu } = await deployedEnvironment();
    expect(environment).not.toHaveProperty('WORKER_SECRET');
    const secretValues = Object.keys(ROUTER_SECRET_BINDINGS).map(secretValue);
    for (const [name, value] of Object.entries(environment)) {
      for (const secret of secretValues) expect(value, name).not.toContain(secret);
    }
    const secretArn = await resolved(gpu!.workerSecret.secret.arn);
    expect(environment.WORKER_SECRET_ARN).toBe(secretArn);
    const version = theResource(resources, 'aws:secretsmanager/secretVersion:SecretVersion');
    expect(version.inputs).toMatchObject({ secretId: secretArn, secretString: secretValue('WorkerSecret') });
    expect(theResource(resources, 'aws:secretsmanager/secret:Secret').inputs.recoveryWindowInDays).toBe(0);
  });
});
