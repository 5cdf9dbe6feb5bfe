import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminTarget } from '../../packages/cli/src/admin-client.ts';
import { writeLocalStackState } from '../../packages/cli/src/local-stack/local-stack-state.ts';

describe('adminTarget (where stipple keys and credits go)', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'stipple-admin-target-'));
    writeLocalStackState(folder, {
      adminSecret: 'local-admin-secret',
      workerSecret: 'w',
      tokenSigningSecret: 't',
      url: 'http://127.0.0.1:8800',
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
      /the local stack, `npm start`, needs none/,
    );
  });
});
