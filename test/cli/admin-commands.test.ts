import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  printErrorLines,
  type RouterInWorkerd,
  startRouterInWorkerd,
} from '../../packages/cli/src/local-stack/router-in-workerd.ts';
import { stipple } from './run-stipple.ts';

const ADMIN_SECRET = 'cli-test-admin-secret-0123456789abcdef';

describe('stipple-cli keys and credits against a real router in workerd', () => {
  let router: RouterInWorkerd;
  let env: Record<string, string>;
  beforeAll(async () => {
    router = await startRouterInWorkerd({ port: 0, bindings: { ADMIN_SECRET }, onLine: printErrorLines });
    env = { STIPPLE_URL: router.url, STIPPLE_ADMIN_SECRET: ADMIN_SECRET };
  }, 60_000);
  afterAll(() => router?.stop());

  it('creates a key with credits, printing the key alone on the last line, then lists and revokes it', async () => {
    const created = await stipple(env, 'keys', 'create', '--tenant', 'acme', '--credits', '25');
    expect(created.code).toBe(0);
    const key = created.stdout.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^sk_live_[0-9A-Za-z]{43}$/);
    expect(created.stderr).toMatch(
      /^created key_[0-9a-f]{16} \(live, scopes generate, read\) for tenant acme with 25 credits/,
    );
    const usage = await fetch(`${env.STIPPLE_URL}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
    expect(await usage.json()).toMatchObject({ tenant_id: 'acme', credits_remaining: 25 });

    const granted = await stipple(env, 'credits', 'grant', '--tenant', 'acme', '--credits', '5');
    expect(granted.stdout).toBe('granted 5 credits to tenant acme; its balance is now 30\n');

    const listed = await stipple(env, 'keys', 'list', '--tenant', 'acme');
    const keyId = /^(key_[0-9a-f]{16}) /.exec(listed.stdout)![1];
    expect(listed.stdout).toContain(`${key.slice(0, 12)}…  live  generate,read  active`);
    expect(listed.stdout).not.toContain(key);
    expect((await stipple(env, 'keys', 'revoke', '--tenant', 'acme', '--key', keyId)).stdout).toBe(
      `revoked ${keyId}\n`,
    );
    const after = await fetch(`${env.STIPPLE_URL}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
    expect(after.status).toBe(401);
  });

  it("shows and sets a tenant's content policy, lists its end users and resets one", async () => {
    const shown = await stipple(env, 'moderation', 'show', '--tenant', 'policy-co');
    expect(shown.stdout).toBe(
      'prompts: flag (deployment default)\nimages: flag (deployment default)\nend_user_block_threshold: none (deployment default)\n',
    );
    const set = await stipple(
      env,
      'moderation',
      'set',
      '--tenant',
      'policy-co',
      '--images',
      'block',
      '--end-user-threshold',
      '3',
    );
    expect(set.stdout).toBe('prompts: flag (deployment default)\nimages: block\nend_user_block_threshold: 3\n');
    const back = await stipple(env, 'moderation', 'set', '--tenant', 'policy-co', '--images', 'default');
    expect(back.stdout).toContain('images: flag (deployment default)\n');
    const bad = await stipple(env, 'moderation', 'set', '--tenant', 'policy-co', '--prompts', 'strict');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[invalid_request]');
    const users = await stipple(env, 'moderation', 'end-users', '--tenant', 'policy-co');
    expect(users).toMatchObject({
      code: 0,
      stdout: '',
      stderr: 'tenant policy-co has no end users with blocked attempts\n',
    });
    const reset = await stipple(env, 'moderation', 'reset', '--tenant', 'policy-co', '--end-user', 'eve');
    expect(reset.stdout).toBe('end user eve had no blocked attempts\n');
  });

  it("says what is wrong: the router's own message, a missing secret, an unreachable router", async () => {
    const bad = await stipple(env, 'credits', 'grant', '--tenant', 'acme', '--credits=-3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^stipple-cli credits: credits -3 is out of range; use an integer 1–1000000000 \[invalid_request\]/,
    );
    const nobody = await stipple(env, 'keys', 'list', '--tenant', 'nobody');
    expect(nobody).toMatchObject({ code: 0, stdout: '', stderr: 'tenant nobody has no keys\n' });
    const noSecret = await stipple(
      { STIPPLE_URL: env.STIPPLE_URL, STIPPLE_ADMIN_SECRET: '' },
      'keys',
      'list',
      '--tenant',
      'a',
    );
    expect(noSecret.stderr).toContain('set STIPPLE_ADMIN_SECRET');
    const wrongSecret = await stipple({ ...env, STIPPLE_ADMIN_SECRET: 'nope' }, 'keys', 'list', '--tenant', 'a');
    expect(wrongSecret.stderr).toContain('[invalid_admin_secret]');
    const away = await stipple({ ...env, STIPPLE_URL: 'http://127.0.0.1:9' }, 'keys', 'list', '--tenant', 'a');
    expect(away.stderr).toContain('cannot reach the router at http://127.0.0.1:9');
    expect(away.code).toBe(2);
  });
});
