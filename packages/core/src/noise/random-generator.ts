/**
 * A source of Gaussian noise. Schedulers that inject noise (ancestral, LCM) and the pipeline's initial latents draw from
 * it, so one seed reproduces one image.
 */
export interface RandomGenerator {
  /** The seed this generator started from (an unsigned 32-bit integer). */
  readonly seed: number;
  /** Draws `n` standard normal samples, consuming the stream exactly as `torch.randn(n)` does on the CPU. */
  randn(n: number): Float32Array;
}
