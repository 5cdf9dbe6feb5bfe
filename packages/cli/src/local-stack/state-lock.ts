import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StippleError } from '@stipple/core';

/** The file in the state folder that says which process runs a stack on it. */
export const LOCK_FILE_NAME = 'stack.lock';

/** What the lock file holds. */
interface LockOwner {
  pid: number;
  url: string;
}

/** Whether a process with this id exists (EPERM: it does, as another user's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Half-written by a process that died mid-write: nobody's.
    return { pid: 0, url: '' };
  }
}

/** The held lock: `release` removes it if it is still this process's. */
export interface StateLock {
  release(): void;
}

/**
 * Takes the state folder for this process, the stack at `url`: one stack per folder, since two would share its router
 * storage and rewrite each other's `local-stack.json`. A lock whose process is gone (a crash, a kill -9) is taken over.
 */
export function lockStateDirectory(directory: string, url: string): StateLock {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, LOCK_FILE_NAME);
  const mine: LockOwner = { pid: process.pid, url };
  for (;;) {
    try {
      // `wx`: created only if absent, so of two stacks starting at once one wins.
      writeFileSync(path, JSON.stringify(mine), { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(path);
    if (owner && owner.pid > 0 && isAlive(owner.pid)) {
      throw new StippleError(
        'state_dir_in_use',
        `another local stack (pid ${owner.pid}, ${owner.url}) uses the state folder ${directory}; stop it first, ` +
          'or give a second stack its own folder and port: STIPPLE_STATE_DIR=.stipple-2 PORT=8788 npm start',
      );
    }
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return {
    release() {
      if (readOwner(path)?.pid === process.pid) unlinkSync(path);
    },
  };
}
