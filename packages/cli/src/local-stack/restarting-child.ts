import type { ChildExit, SupervisedChild } from './supervised-child.ts';

/** When a child that exited on its own is started again, and when it is given up. */
export interface RestartPolicy {
  /** The wait before the first restart, milliseconds; it doubles with each crash after it. */
  firstDelayMs: number;
  /** The longest wait before a restart, milliseconds. */
  maxDelayMs: number;
  /** A child that stayed up this long, milliseconds, crashed by accident: the waits start again from the first. */
  stableAfterMs: number;
  /** A child that exits sooner than this after it started, milliseconds, failed to start. */
  startupMs: number;
  /** The child is given up when it fails to start this many times in a row. */
  maxFailedStarts: number;
}

/** A platform's habit: 1 s, 2 s, 4 s … at most 30 s; a minute up resets it; five failed starts in a row give up. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
  startupMs: 10_000,
  maxFailedStarts: 5,
};

/** What `gaveUp` becomes once the child is stopped: it never settles. */
const NEVER = new Promise<never>(() => {});

/** What is known when a crashed child is about to be started again. */
export interface Restart {
  /** How the process ended. */
  exit: ChildExit;
  /** How many restarts this is, counting from 1. */
  count: number;
  /** How long the restart waits, milliseconds. */
  delayMs: number;
}

export interface RestartingChild {
  name: string;
  /** The process running now (or the one that last ran, while a restart waits): a new one after each restart. */
  readonly pid: number;
  /** Settles with the last exit when the child is given up; never when it is stopped. */
  gaveUp: Promise<ChildExit>;
  /** Cancels a waiting restart and stops the process running now; no restart follows. Resolves once it is gone. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Keeps a child running the way a platform keeps a service: `start` is called again (with whatever it closes over:
 * the same port, the same environment) whenever the process exits without being asked to, after a wait that doubles
 * while it keeps crashing. `onRestart` hears of each restart before its wait begins.
 */
export function startRestartingChild(
  start: () => SupervisedChild,
  onRestart: (restart: Restart) => void,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): RestartingChild {
  let current = start();
  let startedAt = performance.now();
  let stopping = false;
  let cancelWait = () => {};
  const wait = (delayMs: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      cancelWait = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const supervise = async (): Promise<ChildExit> => {
    let crashesSinceStable = 0;
    let failedStarts = 0;
    for (let count = 1; ; count++) {
      const exit = await current.exited;
      if (stopping) return NEVER;
      const upMs = performance.now() - startedAt;
      crashesSinceStable = upMs >= policy.stableAfterMs ? 1 : crashesSinceStable + 1;
      failedStarts = upMs < policy.startupMs ? failedStarts + 1 : 0;
      if (failedStarts >= policy.maxFailedStarts) return exit;
      const delayMs = Math.min(policy.firstDelayMs * 2 ** (crashesSinceStable - 1), policy.maxDelayMs);
      onRestart({ exit, count, delayMs });
      await wait(delayMs);
      // stop() may have begun during the wait: it has the last word.
      if (stopping) return NEVER;
      current = start();
      startedAt = performance.now();
    }
  };
  const gaveUp = supervise();
  return {
    name: current.name,
    get pid() {
      return current.pid;
    },
    gaveUp,
    async stop(graceMs) {
      stopping = true;
      cancelWait();
      await current.stop(graceMs);
    },
  };
}
