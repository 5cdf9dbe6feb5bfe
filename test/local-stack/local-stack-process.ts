import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const REPOSITORY_ROOT = resolve(import.meta.dirname, '../..');
/** Generous: a busy 2-core machine starts the stack in seconds, but tests must not flake. */
const READY_TIMEOUT_MS = 90_000;
/** For a test that starts the stack (once or twice) and makes a job: minutes, on a machine running every suite. */
export const STACK_TEST_TIMEOUT_MS = 180_000;

/** `npm start` running as a child, as a person would run it in a terminal. */
export interface LocalStackProcess {
  child: ChildProcess;
  /** The router's URL and the development key, as printed. */
  url: string;
  key: string;
  /** The pids of the stack (the node process that `npm start` runs), the worker and the router, as printed. */
  pids: { stack: number; worker: number; router: number };
  workerUrl: string;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** Settles when `npm start` ends: its exit code, or the signal it ended by (npm re-raises a SIGINT it got). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ctrl-C in the terminal: SIGINT to the whole process group (npm, its shell and the stack). */
  interrupt(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `npm start` with the state folder and port given and resolves once it has printed that it is ready. */
export async function startLocalStackProcess(env: Record<string, string>): Promise<LocalStackProcess> {
  const { STIPPLE_URL: _url, STIPPLE_ADMIN_SECRET: _secret, DEV_API_KEY: _key, ...inherited } = process.env;
  const child = spawn('npm', ['start'], {
    cwd: REPOSITORY_ROOT,
    env: { ...inherited, ...env },
    // Its own process group, as a terminal gives a foreground job, so `interrupt` reaches all of it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const ready = new Promise<void>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`npm start was not ready within 90 s:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    const check = () => {
      if (output.includes('Stipple is ready')) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout?.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      fail(new Error(`npm start exited with ${code} before it was ready:\n${output}`));
    });
  });
  await ready;
  const printed = (pattern: RegExp) => {
    const match = pattern.exec(output);
    if (!match) throw new Error(`npm start did not print ${pattern}:\n${output}`);
    return match[1];
  };
  const interrupt = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGINT');
    return exited;
  };
  return {
    child,
    url: printed(/^ {2}API {10}(\S+)/m),
    key: printed(/^ {2}API key {6}(sk_test_\w+)/m),
    pids: {
      stack: Number(printed(/\[stack\] starting the local stack \(state in .+, pid (\d+)\)/)),
      worker: Number(printed(/\[worker\] starting on \S+ \(pid (\d+)\)/)),
      router: Number(printed(/\[router\] starting on \S+ \(pid (\d+)\)/)),
    },
    workerUrl: printed(/\[worker\] starting on (\S+)/),
    output: () => output,
    exited,
    interrupt,
  };
}

/** Whether a process with this pid still runs (a zombie, dead but not yet reaped, does not). */
export function isRunning(pid: number): boolean {
  try {
    // /proc/PID/stat: "pid (name) STATE …"; Z is a zombie.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Whether anything answers at this URL. */
export async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
    () => true,
    () => false,
  );
}
