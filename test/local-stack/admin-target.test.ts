import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminTarget } from '../../packages/cli/src/admin-client.ts';
import { writeLocalStackState } from '../../packages/cli/src/local-stack/local-stack-state.ts';
import { apiTarget } from '../../packages/cli/src/remote/api-client.ts';

describe('where stipple keys, credits and remote go', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'stipple-admin-target-'));
    writeLocalStackState(folder, {
      adminSecret: 'local-admin-secret',
      workerSecret: 'w',
      tokenSigningSecret: 't',
      url: 'http://127.0.0.1:8800',
      devKey: { id: 'key_0123456789abcdef', key: 'sk_test_local', tenant: 'dev' },
    });
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it("reaches the local stack with its own secret when nothing is set, and a router's own secret wins", () => {
    expect(adminTarget(undefined, { STIPPLE_STATE_DIR: folder })).toEqual({
      url: 'http://127.0.0.1:8800',
      secret: 'local-admin-secret',
    });
    expect(adminTarget(undefined, { STIPPLE_STATE_DIR: folder, STIPPLE_ADMIN_SECRET: 'mine' }).secret).toBe('mine');
  });

  it('never sends the local secret to a router named elsewhere', () => {
    const elsewhere = { STIPPLE_STATE_DIR: folder, STIPPLE_URL: 'https://api.example.com' };
    expect(() => adminTarget(undefined, elsewhere)).toThrow(/set STIPPLE_ADMIN_SECRET/);
    expect(() => adminTarget('https://api.example.com/', { STIPPLE_STATE_DIR: folder })).toThrow(
      /set STIPPLE_ADMIN_SECRET/,
    );
    expect(() => adminTarget(undefined, { STIPPLE_STATE_DIR: join(folder, 'never-started') })).toThrow(
      `no local stack has run with the state folder ${join(folder, 'never-started')}`,
    );
  });

  it('gives stipple remote the local development key for the local stack only; a key of your own wins', () => {
    expect(apiTarget({}, { STIPPLE_STATE_DIR: folder })).toEqual({
      url: 'http://127.0.0.1:8800',
      key: 'sk_test_local',
    });
    expect(apiTarget({ key: 'sk_live_mine' }, { STIPPLE_STATE_DIR: folder }).key).toBe('sk_live_mine');
    expect(apiTarget({}, { STIPPLE_STATE_DIR: folder, STIPPLE_API_KEY: 'sk_live_env' }).key).toBe('sk_live_env');
    expect(() => apiTarget({ url: 'https://api.example.com' }, { STIPPLE_STATE_DIR: folder })).toThrow(
      /set STIPPLE_API_KEY or pass --key/,
    );
  });

  it('says, for a --url on another port than the saved stack, whose key it has and how to name another folder', () => {
    // A second stack on another port with its own state folder: the saved development key is not for it.
    expect(() => apiTarget({ url: 'http://127.0.0.1:8801' }, { STIPPLE_STATE_DIR: folder })).toThrow(
      `no API key for http://127.0.0.1:8801: set STIPPLE_API_KEY or pass --key (a sk_live_… or sk_test_… key); ` +
        `the local stack's own credentials go only to its router, http://127.0.0.1:8800 (state in ${folder}); ` +
        'for a stack with another state folder, set STIPPLE_STATE_DIR to that folder',
    );
  });
});
