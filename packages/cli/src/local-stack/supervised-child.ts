import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How many of a child's last output lines are kept, to show when it dies. */
const LAST_LINES_KEPT = 20;
/** How long after a child exits its last output may take to arrive. */
const OUTPUT_DRAIN_MS = 1000;

/** How a child ended. */
export interface ChildExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Its last output lines, oldest first. */
  lastLines: string[];
}

/** How it ended, in words: `signal SIGKILL` or `code 1`. */
export function exitStatus(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

export interface SupervisedChild {
  name: string;
  pid: number;
  /** Settles when the child exits, for whatever reason. */
  exited: Promise<ChildExit>;
  /** Its last output lines, oldest first. */
  lastLines(): string[];
  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs: number): Promise<ChildExit>;
}

export interface ChildOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Makes an output line readable; what it returns is kept and passed to `onLine`. */
  formatLine(line: string): string;
  /** Where each output line goes. */
  onLine(line: string): void;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // A negative pid is the child's process group: it and whatever it started (workerd, esbuild).
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Starts a child in its own process group, so Ctrl-C in the terminal reaches only the local stack, which then stops
 * its children in order; their output is read line by line and the last lines are kept for a crash report.
 */
export function startChild(options: ChildOptions): SupervisedChild {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (raw: string) => {
    if (raw.trim() === '') return;
    const line = options.formatLine(raw);
    lines.push(line);
    if (lines.length > LAST_LINES_KEPT) lines.shift();
    options.onLine(line);
  };
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream! }).on('line', keep);
  const exited = new Promise<ChildExit>((resolve) => {
    const settle = () =>
      resolve({ name: options.name, code: child.exitCode, signal: child.signalCode, lastLines: [...lines] });
    child.once('exit', () => {
      // Whatever the leader left behind in its group goes with it; its pipes close once they are all gone.
      signalGroup(child, 'SIGKILL');
      setTimeout(settle, OUTPUT_DRAIN_MS).unref();
    });
    child.once('close', settle);
    child.once('error', (error) => {
      keep(`${options.command}: ${error.message}`);
      settle();
    });
  });
  return {
    name: options.name,
    pid: child.pid ?? -1,
    exited,
    lastLines: () => [...lines],
    async stop(graceMs) {
      if (child.exitCode === null && child.signalCode === null) signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}
