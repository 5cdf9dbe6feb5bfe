import type { WeightsHash } from './model-hash.ts';

/** How a model load went, for `stipple info --json` and the worker's logs. */
export interface ModelLoadReport {
  /**
   * Milliseconds per stage: reading configs and tokenizers, opening the ONNX sessions, hashing the weights, and the
   * whole load. Hashing runs while the sessions open, so `total` is less than the sum.
   */
  stagesMs: { configs: number; sessions: number; weightsHash: number; total: number };
  /** The weight hash's file counts and cache: `hashedFiles` 0 means every digest came from the cache. */
  weightsHash: Omit<WeightsHash, 'digest'>;
  /**
   * Present when the folder has a safety checker (which then checks every image unless a generation turns it off):
   * milliseconds to read its preprocessor settings and open its session, alongside the other sessions.
   */
  safetyChecker?: { ms: number };
}

/** `work`'s result and how long it took, in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}
