import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME, lockStateDirectory } from './state-lock.ts';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function stateFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'stipple-state-lock-'));
  folders.push(folder);
  return folder;
}

/** A process id that was just used and is now free: a stack killed with kill -9 left it in its lock. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout);
}

describe('lockStateDirectory', () => {
  it('refuses a second stack on a folder while the first runs, naming it and how to run two', () => {
    const folder = stateFolder();
    const first = lockStateDirectory(folder, 'http://127.0.0.1:8787');
    expect(() => lockStateDirectory(folder, 'http://127.0.0.1:8788')).toThrow(
      `another local stack (pid ${process.pid}, http://127.0.0.1:8787) uses the state folder ${folder}; stop it ` +
        'first, or give a second stack its own folder and port: STIPPLE_STATE_DIR=.stipple-2 PORT=8788 npm start',
    );
    first.release();
    expect(existsSync(join(folder, LOCK_FILE_NAME))).toBe(false);
    lockStateDirectory(folder, 'http://127.0.0.1:8788').release();
  });

  it('takes over the lock of a stack that died without releasing it', () => {
    const folder = stateFolder();
    writeFileSync(join(folder, LOCK_FILE_NAME), JSON.stringify({ pid: deadPid(), url: 'http://x' }));
    const lock = lockStateDirectory(folder, 'http://127.0.0.1:8787');
    expect(JSON.parse(readFileSync(join(folder, LOCK_FILE_NAME), 'utf8'))).toEqual({
      pid: process.pid,
      url: 'http://127.0.0.1:8787',
    });
    lock.release();
  });

  it('leaves a lock that is no longer its own in place', () => {
    const folder = stateFolder();
    const lock = lockStateDirectory(folder, 'http://127.0.0.1:8787');
    const other = JSON.stringify({ pid: process.ppid, url: 'http://127.0.0.1:8788' });
    writeFileSync(join(folder, LOCK_FILE_NAME), other);
    lock.release();
    expect(readFileSync(join(folder, LOCK_FILE_NAME), 'utf8')).toBe(other);
  });
});
