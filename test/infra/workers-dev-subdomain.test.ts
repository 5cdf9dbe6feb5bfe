import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingSubdomainAdvice } from '../../infra/workers-dev-subdomain.ts';
import { REPOSITORY_ROOT } from './support/deploy-stack.ts';

const ACCOUNT = '0123456789abcdef0123456789abcdef';

/** What wrangler 4 prints on a new account's first deploy without a terminal (its warning, prompt and UserError). */
const NEW_ACCOUNT_OUTPUT = [
  '▲ [WARNING] You need to register a workers.dev subdomain before publishing to workers.dev',
  '? Would you like to register a workers.dev subdomain now?',
  '🤖 Using fallback value in non-interactive context: no',
  '✘ [ERROR] You can either deploy your worker to one or more routes by specifying them in your wrangler.json file,',
  `or register a workers.dev subdomain here: https://dash.cloudflare.com/${ACCOUNT}/workers/onboarding`,
].join('\n');

describe('the workers.dev subdomain check', () => {
  it('keys on words the installed wrangler prints', () => {
    const wrangler = readFileSync(join(REPOSITORY_ROOT, 'node_modules/wrangler/wrangler-dist/cli.js'), 'utf8');
    expect(wrangler).toContain('"You need to register a workers.dev subdomain before publishing to workers.dev"');
    // Without a terminal wrangler takes the fallback answer, no.
    expect(wrangler).toMatch(
      /"Would you like to register a workers\.dev subdomain now\?",\s*\{ fallbackValue: false \}/,
    );
    // Split so that it reads as wrangler's template literal, not one of ours.
    expect(wrangler).toContain('https://dash.cloudflare.com/$' + '{accountId}/workers/onboarding');
  });

  it('names the account’s onboarding page and the deploy to run again', () => {
    const advice = missingSubdomainAdvice(NEW_ACCOUNT_OUTPUT);
    expect(advice).toContain(`https://dash.cloudflare.com/${ACCOUNT}/workers/onboarding`);
    expect(advice).toContain('`sst deploy` again');
    expect(missingSubdomainAdvice('✘ [ERROR] Authentication error [code: 10000]')).toBeUndefined();
  });

  it('is what deploy-router prints when wrangler fails so, with wrangler’s own exit status', () => {
    const bin = mkdtempSync(join(tmpdir(), 'stipple-deploy-router-'));
    try {
      // Stands in for `npx wrangler deploy`: the one boundary (Cloudflare's API) this machine cannot reach.
      const output = JSON.stringify(NEW_ACCOUNT_OUTPUT);
      writeFileSync(join(bin, 'npx'), `#!/usr/bin/env node\nprocess.stderr.write(${output});\nprocess.exit(1);\n`);
      chmodSync(join(bin, 'npx'), 0o755);
      // Run from the scratch folder: deploy-router writes wrangler's configuration under `.sst/router/` of its cwd.
      const tsx = join(REPOSITORY_ROOT, 'node_modules/tsx/dist/loader.mjs');
      const result = spawnSync(process.execPath, ['--import', tsx, join(REPOSITORY_ROOT, 'infra/deploy-router.ts')], {
        cwd: bin,
        encoding: 'utf8',
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          STIPPLE_ROUTER_CONFIG: '{}',
          STIPPLE_ROUTER_SECRETS: '{}',
        },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(NEW_ACCOUNT_OUTPUT);
      expect(result.stderr).toContain(`deploy-router: ${missingSubdomainAdvice(NEW_ACCOUNT_OUTPUT)}`);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
