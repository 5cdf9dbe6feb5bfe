import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EdgeStorage } from '@stipple/adapters';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { createPoolEntries } from '../../functions/router/src/providers/pool-entries.ts';
import { deployUnderMocks, REPOSITORY_ROOT, secretValue } from './support/deploy-stack.ts';
import { type Inputs, MOCK_WORKERS_DEV_URL, resolved, theResource } from './support/pulumi-mocks.ts';

const read = (path: string) => readFileSync(join(REPOSITORY_ROOT, path), 'utf8');

/** functions/router/wrangler.jsonc, parsed by TypeScript's JSONC reader (not infra's own). */
function routerWranglerJsonc(): Inputs {
  const { config, error } = ts.parseConfigFileTextToJson('wrangler.jsonc', read('functions/router/wrangler.jsonc'));
  if (error) throw new Error(String(error.messageText));
  return config;
}

interface Binding {
  name: string;
  optional: boolean;
  durableObject: boolean;
}

/** The members of `interface Env` in functions/router/src/env.ts. */
function routerEnv(): Binding[] {
  const source = ts.createSourceFile('env.ts', read('functions/router/src/env.ts'), ts.ScriptTarget.Latest, true);
  const env = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === 'Env',
  );
  if (env === undefined) throw new Error('functions/router/src/env.ts declares no interface Env');
  return env.members.filter(ts.isPropertySignature).map((member) => ({
    name: member.name.getText(source),
    optional: member.questionToken !== undefined,
    durableObject: member.type?.getText(source).startsWith('DurableObjectNamespace') ?? false,
  }));
}

/** The bindings docs/CONFIGURATION.md's router table marks as secrets. */
function documentedSecrets(): string[] {
  const configuration = read('docs/CONFIGURATION.md');
  const routerSection = configuration.slice(configuration.indexOf('## The router'));
  const rows = routerSection
    .slice(0, routerSection.indexOf('\n## ', 1))
    .split('\n')
    .filter((line) => line.startsWith('| `') && /\(secrets?\)/.test(line.split('|')[1]));
  return rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z0-9_]+)`/g)].map((match) => match[1]));
}

const HTTP_PROVIDERS = [{ id: 'run-pod', url: 'https://abc-8080.proxy.runpod.net', tokenHeader: 'authorization' }];

/** Every documented secret is then made: the moderation endpoint's key exists only with an endpoint. */
const MODERATION_URL = 'https://api.openai.com/v1/moderations';

async function deployedRouter(env: Record<string, string> = {}) {
  const stack = await deployUnderMocks({
    STIPPLE_HTTP_PROVIDERS: JSON.stringify(HTTP_PROVIDERS),
    STIPPLE_MODERATION_URL: MODERATION_URL,
    ...env,
  });
  const deploy = theResource(stack.resources, 'command:local:Command', 'RouterDeploy');
  const config = JSON.parse(deploy.inputs.environment.STIPPLE_ROUTER_CONFIG);
  const secrets: Record<string, string> = JSON.parse(deploy.inputs.environment.STIPPLE_ROUTER_SECRETS);
  return { ...stack, deploy, config, secrets };
}

describe('infra/router', () => {
  it('deploys with the compatibility date and flags of wrangler.jsonc', async () => {
    const { config } = await deployedRouter();
    const wrangler = routerWranglerJsonc();
    expect(config.compatibility_date).toBe(wrangler.compatibility_date);
    expect(config.compatibility_flags ?? []).toEqual(wrangler.compatibility_flags ?? []);
  });

  it('binds every Durable Object the router declares, with wrangler.jsonc’s migrations', async () => {
    const { config } = await deployedRouter();
    const wrangler = routerWranglerJsonc();
    expect(config.durable_objects).toEqual(wrangler.durable_objects);
    expect(config.migrations).toEqual(wrangler.migrations);
    const bound = config.durable_objects.bindings.map((binding: { name: string }) => binding.name).sort();
    const declared = routerEnv().filter((binding) => binding.durableObject);
    expect(bound).toEqual(declared.map((binding) => binding.name).sort());
    expect(existsSync(config.main)).toBe(true);
    expect(config.main).toBe(join(REPOSITORY_ROOT, 'functions/router', wrangler.main));
  });

  it('sets every binding the router requires, and otherwise only the token secrets PROVIDERS names', async () => {
    const { config, secrets } = await deployedRouter();
    const named = JSON.parse(config.vars.PROVIDERS).flatMap((entry: Inputs) => entry.providerToken?.secret ?? []);
    const set = [...Object.keys(config.vars), ...Object.keys(secrets)];
    const env = routerEnv();
    for (const binding of env.filter((binding) => !binding.optional && !binding.durableObject)) {
      expect(set, `${binding.name} is required by the router`).toContain(binding.name);
    }
    const undeclared = set.filter((name) => !env.some((binding) => binding.name === name)).sort();
    expect(named).toEqual(['PROVIDER_TOKEN_RUN_POD']);
    expect(undeclared).toEqual(named);
  });

  it('passes secrets only as secrets, never as plain-text vars', async () => {
    const { config, secrets, router } = await deployedRouter();
    expect(Object.keys(secrets)).toEqual(expect.arrayContaining(documentedSecrets()));
    expect(documentedSecrets().length).toBeGreaterThanOrEqual(5);
    for (const name of Object.keys(secrets)) expect(Object.keys(config.vars)).not.toContain(name);
    const plainText = JSON.stringify(config);
    for (const value of Object.values(secrets)) expect(plainText).not.toContain(value);
    expect(secrets.ADMIN_SECRET).toBe(secretValue('AdminSecret'));
    expect(secrets.WORKER_SECRET).toBe(secretValue('WorkerSecret'));
    expect(secrets.TOKEN_SIGNING_SECRET).toBe(secretValue('TokenSigningSecret'));
    expect(secrets.PROVIDER_TOKEN_RUN_POD).toBe(secretValue('ProviderTokenRunPod'));
    expect(secrets.MODERATION_API_KEY).toBe(secretValue('ModerationApiKey'));
    expect(secrets.S3_ACCESS_KEY_ID).toBe(await resolved(router.edge.accessKey.id));
  });

  it('passes the moderation settings given as STIPPLE_<binding>, and makes the endpoint key only with an endpoint', async () => {
    const { config } = await deployedRouter({
      STIPPLE_PROMPT_MODERATION: 'block',
      STIPPLE_IMAGE_MODERATION: 'off',
      STIPPLE_END_USER_BLOCK_THRESHOLD: '3',
      STIPPLE_MODERATION_TERMS: 'forbidden, also this',
      STIPPLE_MODERATION_FAILURE: 'open',
    });
    expect(config.vars).toMatchObject({
      PROMPT_MODERATION: 'block',
      IMAGE_MODERATION: 'off',
      END_USER_BLOCK_THRESHOLD: '3',
      MODERATION_TERMS: 'forbidden, also this',
      MODERATION_URL,
      MODERATION_FAILURE: 'open',
    });
    expect(config.vars).not.toHaveProperty('MODERATION_MODEL');
    const without = await deployedRouter({ STIPPLE_MODERATION_URL: '' });
    expect(without.config.vars).not.toHaveProperty('MODERATION_URL');
    expect(without.secrets).not.toHaveProperty('MODERATION_API_KEY');
  });

  it('points the router at the bucket, the endpoint and the external workers', async () => {
    const { config, storage, gpu } = await deployedRouter();
    expect(config.vars.S3_BUCKET).toBe(await resolved(storage.bucket.bucket));
    expect(config.vars.S3_REGION).toBe(await resolved(storage.bucket.region));
    expect(config.vars.S3_KEY_PREFIX).toBe(storage.layout.outputs);
    expect(config.vars.S3_INPUT_PREFIX).toBe(storage.layout.inputs);
    const providers = JSON.parse(config.vars.PROVIDERS);
    expect(providers).toEqual([
      {
        type: 'http',
        id: 'run-pod',
        url: HTTP_PROVIDERS[0].url,
        models: ['tiny-shapes'],
        providerToken: { header: 'authorization', secret: 'PROVIDER_TOKEN_RUN_POD' },
      },
      expect.objectContaining({
        type: 'sagemaker-async',
        endpointName: await resolved(gpu!.endpoint.name),
        region: await resolved(storage.bucket.region),
        input: { keyPrefix: storage.layout.sagemakerInputs },
      }),
    ]);
  });

  it('gives the router bindings it builds its provider pool from', async () => {
    const { config, secrets } = await deployedRouter();
    const bindings = { ...config.vars, ...secrets };
    const storage = new EdgeStorage({
      region: bindings.S3_REGION,
      credentials: { accessKeyId: bindings.S3_ACCESS_KEY_ID, secretAccessKey: bindings.S3_SECRET_ACCESS_KEY },
    });
    const entries = createPoolEntries(bindings, storage);
    expect(entries.map((entry) => [entry.provider.provider, entry.provider.id])).toEqual([
      ['http', 'run-pod'],
      ['sagemaker-async', 'sagemaker'],
    ]);
  });

  it('answers with the workers.dev URL wrangler printed, on the custom domain when one is set', async () => {
    const { router, deploy } = await deployedRouter({ STIPPLE_ROUTER_DOMAIN: 'api.example.com' });
    expect(await resolved(router.url)).toBe(MOCK_WORKERS_DEV_URL);
    const config = JSON.parse(deploy.inputs.environment.STIPPLE_ROUTER_CONFIG);
    expect(config.routes).toEqual([{ pattern: 'api.example.com', custom_domain: true }]);
  });
});
