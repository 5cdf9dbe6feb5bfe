/**
 * Deploys the router with wrangler: `STIPPLE_ROUTER_CONFIG` (the stage's wrangler configuration, JSON) and
 * `STIPPLE_ROUTER_SECRETS` (binding → value) come from `router.ts`. The secrets file lives only while wrangler runs.
 * Run by `sst deploy`; not meant to be run by hand.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlayground } from '../functions/router/build-playground.ts';
import { missingSubdomainAdvice } from './workers-dev-subdomain.ts';

const config = process.env.STIPPLE_ROUTER_CONFIG;
const secrets = process.env.STIPPLE_ROUTER_SECRETS;
if (config === undefined || secrets === undefined) {
  process.stderr.write(
    'deploy-router: STIPPLE_ROUTER_CONFIG and STIPPLE_ROUTER_SECRETS must be set (sst deploy sets them)\n',
  );
  process.exit(2);
}
// wrangler bundles the playground's module as it is on disk: build it from the sources being deployed.
await buildPlayground();
const directory = join('.sst', 'router');
mkdirSync(directory, { recursive: true });
const configPath = join(directory, 'wrangler.json');
const secretsPath = join(directory, 'secrets.json');
writeFileSync(configPath, config);
writeFileSync(secretsPath, secrets, { mode: 0o600 });
try {
  const result = spawnSync('npx', ['wrangler', 'deploy', '--config', configPath, '--secrets-file', secretsPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  process.exitCode = result.status ?? 1;
  const advice = result.status === 0 ? undefined : missingSubdomainAdvice(`${result.stdout}${result.stderr}`);
  if (advice !== undefined) process.stderr.write(`\ndeploy-router: ${advice}\n`);
} finally {
  rmSync(secretsPath, { force: true });
}
