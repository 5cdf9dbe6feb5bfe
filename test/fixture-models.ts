import { resolve } from 'node:path';

/** The committed tiny models (tools/forge builds them), one per contract variant the engine must read. */
export const FIXTURE_VARIANTS = [
  'sd15-int32',
  'sd15-int64-float-timestep',
  'rank0-timestep',
  'sd2-v-prediction',
  'fp16',
  'external-data',
  'lcm',
  'sdxl',
  'fp16-vae-upcast',
] as const;

export function fixtureModel(variant: string): string {
  return resolve(import.meta.dirname, 'fixtures/models', variant);
}

// In a module of its own, importing nothing of Node, so the router's workerd tests can import it too.
export { SAFETY_CHECKER_KNOWN_IMAGES } from './safety-checker-known-images.ts';
