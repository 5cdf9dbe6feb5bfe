import type { RandomGenerator } from './random-generator.ts';

/**
 * One generator per image of a batch, as diffusers does with a list of generators (`randn_tensor`): a draw of n values
 * takes n / batch from each image's generator in turn, so image i's noise depends only on its own seed.
 */
export function createBatchGenerator(generators: readonly RandomGenerator[]): RandomGenerator {
  if (generators.length === 0) throw new RangeError('a batch generator needs at least one generator');
  // One image draws from its own generator as it is, without a copy of every draw.
  if (generators.length === 1) return generators[0];
  return {
    seed: generators[0].seed,
    randn(n: number): Float32Array {
      if (n % generators.length !== 0) {
        throw new RangeError(`cannot split ${n} samples evenly across ${generators.length} generators`);
      }
      const perImage = n / generators.length;
      const out = new Float32Array(n);
      generators.forEach((generator, i) => {
        out.set(generator.randn(perImage), i * perImage);
      });
      return out;
    },
  };
}
