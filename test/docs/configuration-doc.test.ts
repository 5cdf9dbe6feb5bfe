import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const doc = readFileSync(join(ROOT, 'docs/CONFIGURATION.md'), 'utf8');
const documented = new Set([...doc.matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)].map((match) => match[1]));

/** Plumbing, not settings: what the local stack hands its router child (`npm run load` its counting one), and `sst deploy` its wrangler step. */
const PLUMBING = new Set([
  'ROUTER_PORT',
  'ROUTER_PERSIST_DIR',
  'ROUTER_COUNT_DURABLE_OBJECT_CALLS',
  'STIPPLE_ROUTER_BINDINGS',
  'STIPPLE_ROUTER_CONFIG',
  'STIPPLE_ROUTER_SECRETS',
]);

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => readFileSync(join(ROOT, dir, file), 'utf8'));
}

/** Names read from an environment: `env.NAME`, and the worker's typed readers `readEnv(env, 'NAME')` and kin. */
function variablesReadIn(dirs: string[]): Set<string> {
  const read =
    /\benv(?:\.|\[')([A-Z][A-Z0-9_]+)|\b(?:readEnv|readBoolean|readInteger|integer|value)\(env, '([A-Z0-9_]+)'/g;
  const names = dirs.flatMap(sources).flatMap((text) => [...text.matchAll(read)].map((m) => m[1] ?? m[2]));
  return new Set(names.filter((name) => !PLUMBING.has(name)));
}

/** The router's bindings: the properties of `Env` in functions/router/src/env.ts. */
function routerBindings(): string[] {
  const text = readFileSync(join(ROOT, 'functions/router/src/env.ts'), 'utf8');
  return [...text.matchAll(/^ {2}([A-Z][A-Z0-9_]+)\??:/gm)].map((match) => match[1]);
}

describe('docs/CONFIGURATION.md', () => {
  it('documents every variable the gpu-worker, the CLI (local stack included) and the deployment read', () => {
    const read = variablesReadIn(['functions/gpu-worker/src', 'packages/cli/src', 'infra']);
    expect(read).toContain('STIPPLE_SAGEMAKER_MAX_INSTANCES');
    expect(read.size).toBeGreaterThan(20);
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });

  it("documents every binding of the router's Env", () => {
    const bindings = routerBindings();
    expect(bindings).toContain('PROVIDERS');
    expect(bindings.filter((name) => !documented.has(name))).toEqual([]);
  });
});
