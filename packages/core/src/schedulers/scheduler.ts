import type { RandomGenerator } from '../noise/random-generator.ts';

/** What one denoising step returns, as in diffusers' `SchedulerOutput`. */
export interface SchedulerStepResult {
  /** The sample at the previous (less noisy) timestep: x_{t-1}. */
  prevSample: Float32Array;
  /** The model's estimate of the clean sample x_0 at this step. */
  predOriginalSample: Float32Array;
}

/**
 * One sampling algorithm, shaped like a diffusers scheduler: built from a `scheduler_config.json` object (same keys, same
 * class defaults for missing keys), then `setTimesteps(n)` before a denoising loop. Samples are flat `Float32Array`s
 * (a whole batch at once; every operation is element-wise).
 */
export interface Scheduler {
  /** Stipple's name for the algorithm (`euler`, `ddim`, …). */
  readonly name: string;
  /** The diffusers class this scheduler mirrors, e.g. `EulerDiscreteScheduler`. */
  readonly className: string;
  /** The full configuration: the given keys plus the class defaults for the missing ones. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Standard deviation of the initial noise: latents are `randn * initNoiseSigma`. */
  readonly initNoiseSigma: number;
  /** The timesteps of the loop, set by `setTimesteps` (may be fractional for sigma-based schedulers). */
  readonly timesteps: readonly number[];
  setTimesteps(numInferenceSteps: number): void;
  /** Scales the UNet input for this timestep (identity for DDIM, `x / sqrt(sigma² + 1)` for Euler). */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array;
  step(
    modelOutput: Float32Array,
    timestep: number,
    sample: Float32Array,
    generator?: RandomGenerator,
  ): SchedulerStepResult;
  /**
   * Noises a clean sample to the noise level of `timestep` (one of `timesteps`), as diffusers' `add_noise` does for
   * image-to-image starts and inpainting's known region.
   */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array;
}
