import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTER_SOURCES, sourceDigest } from '../../infra/router.ts';
import { deployUnderMocks, REPOSITORY_ROOT } from './support/deploy-stack.ts';
import { plannedStep } from './support/planned-step.ts';
import { type RecordedResource, theResource } from './support/pulumi-mocks.ts';

const HTTP_ONLY = {
  STIPPLE_SAGEMAKER: 'off',
  STIPPLE_HTTP_PROVIDERS: JSON.stringify([{ id: 'run-pod', url: 'https://abc-8080.proxy.runpod.net' }]),
};

async function routerDeploy(env: Record<string, string> = {}): Promise<RecordedResource> {
  const { resources } = await deployUnderMocks(env);
  return theResource(resources, 'command:local:Command', 'RouterDeploy');
}

/** The state a deploy of `deploy` with other router sources would have left. */
function withOtherSources(deploy: RecordedResource) {
  const environment = { ...deploy.inputs.environment, STIPPLE_ROUTER_SOURCE_DIGEST: '0'.repeat(64) };
  return { inputs: { ...deploy.inputs, environment } };
}

describe('infra/router on a redeploy', () => {
  it('plans an update, never a replacement, when the router’s sources change', async () => {
    const deploy = await routerDeploy();
    expect(deploy.inputs.environment.STIPPLE_ROUTER_SOURCE_DIGEST).toBe(sourceDigest(REPOSITORY_ROOT, ROUTER_SOURCES));
    expect(deploy.inputs.triggers).toBeUndefined();
    expect(plannedStep(withOtherSources(deploy), deploy)).toBe('update');
    expect(plannedStep({ inputs: deploy.inputs }, deploy)).toBe('same');
  });

  it('changes the digest with any file under the sources, the lockfile included', () => {
    expect(ROUTER_SOURCES).toEqual(expect.arrayContaining(['package-lock.json', 'functions/router/wrangler.jsonc']));
    const root = mkdtempSync(join(tmpdir(), 'stipple-digest-'));
    try {
      writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
      const before = sourceDigest(root, ['.']);
      writeFileSync(join(root, 'a.ts'), 'export const a = 2;\n');
      const edited = sourceDigest(root, ['.']);
      writeFileSync(join(root, 'b.ts'), '');
      expect(new Set([before, edited, sourceDigest(root, ['.'])]).size).toBe(3);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('updates a router deployed when the digest was a replacing trigger, which that shape replaced', async () => {
    const deploy = await routerDeploy();
    const { STIPPLE_ROUTER_SOURCE_DIGEST: _, ...environment } = deploy.inputs.environment;
    const former = { inputs: { ...deploy.inputs, environment, triggers: ['0'.repeat(64)] } };
    expect(plannedStep(former, deploy)).toBe('update');
    // The former program: the digest in `triggers`, nothing ignored. The same source change replaced it.
    const formerShape = { ...deploy, inputs: { ...former.inputs, triggers: ['f'.repeat(64)] }, ignoreChanges: [] };
    expect(plannedStep(former, formerShape)).toBe('replace');
  });

  it('runs wrangler delete only when the stack is removed', async () => {
    const deploy = await routerDeploy();
    expect(deploy.inputs.delete).toMatch(/^npx wrangler delete /);
    expect(`${deploy.inputs.create} ${deploy.inputs.update}`).not.toContain('wrangler delete');
    // A replacement would run the old resource's `delete`. The provider replaces on `triggers` alone (its SDK
    // registers `replaceOnChanges: ['triggers[*]']`), which the router neither sets nor lets change.
    expect(deploy).toMatchObject({ replaceOnChanges: ['triggers[*]'], ignoreChanges: ['triggers'] });
    expect(deploy.deleteBeforeReplace).toBe(false);
    expect(deploy.replacementTrigger).toBeUndefined();
    // Every setting a deploy may change is an update of the one resource, which every configuration has: it leaves
    // the program, and so runs its `delete`, only with the whole stack (`sst remove`).
    const variations: Record<string, string>[] = [
      { STIPPLE_ROUTER_DOMAIN: 'api.example.com' },
      { STIPPLE_MODELS: 'tiny-shapes,sd15' },
      { ...HTTP_ONLY },
      { ...HTTP_ONLY, STIPPLE_KEY_PREFIX: 'results' },
    ];
    for (const env of variations) {
      const next = await routerDeploy(env);
      expect(plannedStep(withOtherSources(deploy), next), JSON.stringify(env)).toBe('update');
    }
  });
});
