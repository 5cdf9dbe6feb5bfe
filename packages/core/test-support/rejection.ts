import { expect } from 'vitest';

/** The error `work` rejects with, checked to be an instance of `kind` (a test fails if it resolves instead). */
export async function rejection<T extends Error>(
  work: Promise<unknown>,
  kind: abstract new (...args: never[]) => T,
): Promise<T> {
  const error = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(kind);
  return error as T;
}
