import { StippleError } from '@stipple/core';

const POLL_MS = 100;

/**
 * Resolves once `url` answers 200; rejects when `failed` settles first (the child behind it died) or after
 * `timeoutMs`.
 */
export async function waitUntilReady(
  name: string,
  url: string,
  failed: Promise<unknown>,
  timeoutMs: number,
): Promise<void> {
  let gaveUp = false;
  const stopped = failed.then(() => {
    gaveUp = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!gaveUp) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) {
      throw new StippleError('local_stack_timeout', `the ${name} did not answer ${url} within ${timeoutMs / 1000} s`);
    }
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
  }
  throw new StippleError('local_stack_child_exited', `the ${name} exited before it was ready`);
}
