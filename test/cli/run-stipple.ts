import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

export const STIPPLE_BIN = resolve(import.meta.dirname, '../../packages/cli/bin/stipple.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `stipple` binary as a user would, with `env` over this process's environment. */
export async function stipple(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [STIPPLE_BIN, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** Polls `check` every 50 ms until it returns something truthy, and returns that (the test's timeout bounds it). */
export async function waitFor<T>(check: () => T | Promise<T>): Promise<NonNullable<T>> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((done) => setTimeout(done, 50));
  }
}
