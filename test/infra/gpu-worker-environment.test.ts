import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readS3Config } from '../../functions/gpu-worker/src/s3-config.ts';
import { readWorkerConfig } from '../../functions/gpu-worker/src/worker-config.ts';
import { deployUnderMocks, REPOSITORY_ROOT } from './support/deploy-stack.ts';
import { theResource } from './support/pulumi-mocks.ts';

type Env = Record<string, string | undefined>;

/** The variables the gpu-worker's own config readers look at, found by running them on a recording environment. */
function variablesTheWorkerReads(): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy<Env>(
    {},
    {
      get(_target, name) {
        if (typeof name !== 'string') return undefined;
        read.add(name);
        // The one variable without a default.
        return name === 'WORKER_SECRET' ? 'a-recording-secret-of-32-characters' : undefined;
      },
    },
  );
  readWorkerConfig(recording);
  readS3Config(recording);
  return read;
}

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
  const { resources } = await deployUnderMocks(env);
  return theResource(resources, 'aws:sagemaker/model:Model').inputs.primaryContainer.environment;
}

describe('the gpu-worker environment on SageMaker', () => {
  it('sets only variables the gpu-worker reads', async () => {
    const known = variablesTheWorkerReads();
    expect(known.has('WORKER_SECRET')).toBe(true);
    const environment = await containerEnvironment({ STIPPLE_MODEL_REGISTRY: '/app/models/registry.json' });
    for (const name of Object.keys(environment)) expect(known, `${name} is not read by the gpu-worker`).toContain(name);
    for (const name of Object.keys(dockerfileEnvironment())) {
      if (name !== 'NODE_ENV') expect(known, `the Dockerfile sets ${name}`).toContain(name);
    }
  });

  it('is a configuration the gpu-worker accepts, with the deployment’s secret, region, models and batch size', async () => {
    const environment = await containerEnvironment({
      STIPPLE_MODELS: 'tiny-shapes,sd-turbo',
      STIPPLE_MAX_BATCH_IMAGES: '6',
    });
    const env = { ...dockerfileEnvironment(), ...environment };
    const worker = readWorkerConfig(env);
    expect(worker.secret).toBe(environment.WORKER_SECRET);
    expect(worker.secret).toMatch(/^value-of-WorkerSecret/);
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
});
