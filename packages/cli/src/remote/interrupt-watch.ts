/** Ctrl-C while a job runs: the first aborts `signal` so the caller can cancel the job; a second exits at once. */
export interface InterruptWatch {
  signal: AbortSignal;
  dispose(): void;
}

/** The exit code of a process stopped by SIGINT (128 + 2), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

export function watchInterrupt(): InterruptWatch {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}
