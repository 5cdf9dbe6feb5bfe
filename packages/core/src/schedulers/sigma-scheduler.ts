import type { RandomGenerator } from '../noise/random-generator.ts';
import { f32, linspace, weightedSum } from './array-math.ts';
import { type BetaScheduleConfig, computeAlphasCumprod } from './beta-schedule.ts';
import type { PredictionType } from './prediction-type.ts';
import type { Scheduler, SchedulerStepResult } from './scheduler.ts';
import { scheduleExhausted, unknownTimestep } from './scheduler-config.ts';
import { trainingSigmas } from './sigma-schedule.ts';
import { indexForTimestep, type TimestepSpacing } from './timestep-spacing.ts';

/**
 * What Euler and Euler ancestral share (k-diffusion style, `x = x₀ + σ·ε`): the sigma schedule, the step counter,
 * input scaling by `1 / √(σ² + 1)` and `add_noise`. Mirrors the common parts of scheduling_euler_discrete.py and
 * scheduling_euler_ancestral_discrete.py.
 */
export abstract class SigmaScheduler implements Scheduler {
  abstract readonly name: string;
  abstract readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Cumulative product of `1 - β` over the training timesteps (float32). */
  readonly alphasCumprod: Float32Array;
  /** Sigmas of the current schedule plus the final one (float32), one more than `timesteps`. */
  sigmas: Float32Array;
  timesteps: number[];
  /** Index of the next `step` in `timesteps`; set from the first timestep seen after `setTimesteps`. */
  protected stepIndex: number | null = null;

  protected constructor(
    config: Readonly<Record<string, unknown>>,
    beta: BetaScheduleConfig,
    private readonly spacing: TimestepSpacing,
  ) {
    this.config = config;
    this.alphasCumprod = computeAlphasCumprod(beta, { zeroSnrFloor: true });
    const sigmas = trainingSigmas(this.alphasCumprod).reverse();
    this.sigmas = Float32Array.from([...sigmas, 0]);
    this.timesteps = linspace(0, beta.num_train_timesteps - 1, beta.num_train_timesteps).reverse();
  }

  /** `max(σ)` for linspace/trailing spacing, else `√(max(σ)² + 1)` (diffusers `init_noise_sigma`). */
  get initNoiseSigma(): number {
    const max = this.sigmas.reduce((a, b) => Math.max(a, b), 0);
    if (this.spacing === 'linspace' || this.spacing === 'trailing') return max;
    return f32(Math.sqrt(f32(f32(max * max) + 1)));
  }

  abstract setTimesteps(numInferenceSteps: number): void;

  abstract step(
    modelOutput: Float32Array,
    timestep: number,
    sample: Float32Array,
    generator?: RandomGenerator,
  ): SchedulerStepResult;

  /** Divides by `√(σ² + 1)` so the UNet sees unit-variance input. */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    const sigma = this.sigmas[this.currentStepIndex(timestep)];
    const scale = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
    return sample.map((v) => v / scale);
  }

  /** Noises a clean sample to `timestep`: `x + ε·σ(t)`, for image-to-image starts (diffusers `add_noise`). */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    const sigma = this.sigmas[this.indexOf(timestep)];
    return originalSamples.map((v, i) => v + f32(noise[i] * sigma));
  }

  /** x₀ from the model output at noise level σ (the `step` part 1 shared by both Euler schedulers), in float32. */
  protected predictOriginalSample(
    type: PredictionType,
    modelOutput: Float32Array,
    sample: Float32Array,
    sigma: number,
  ): Float32Array {
    switch (type) {
      case 'sample':
        return modelOutput.slice();
      case 'epsilon':
        return weightedSum([1, sample], [-sigma, modelOutput]);
      case 'v_prediction': {
        // denoised = model_output · c_out + sample · c_skip, c_skip applied as a division by σ² + 1 as diffusers does.
        const variance = f32(f32(sigma * sigma) + 1);
        const cOut = f32(-sigma / f32(Math.sqrt(variance)));
        return modelOutput.map((m, i) => f32(m * cOut) + f32(sample[i] / variance));
      }
    }
  }

  /**
   * The Euler update `sample + dt · (sample − x₀) / σ`, plus `σ_up · noise` for the ancestral sampler, in one pass: the
   * float32 roundings of diffusers' `derivative = (sample - pred_original_sample) / sigma` then
   * `prev_sample = sample + derivative * dt (+ noise * sigma_up)`, without an array for the derivative.
   */
  protected eulerUpdate(
    sample: Float32Array,
    predOriginalSample: Float32Array,
    sigma: number,
    dt: number,
    ancestral?: { sigmaUp: number; noise: Float32Array },
  ): Float32Array {
    const prevSample = new Float32Array(sample.length);
    for (let i = 0; i < prevSample.length; i++) {
      const derivative = f32(f32(sample[i] - predOriginalSample[i]) / sigma);
      const moved = f32(sample[i] + f32(dt * derivative));
      prevSample[i] = ancestral ? moved + f32(ancestral.sigmaUp * ancestral.noise[i]) : moved;
    }
    return prevSample;
  }

  /** Resets the step counter; subclasses call it from `setTimesteps`. */
  protected resetSchedule(timesteps: number[], sigmas: ArrayLike<number>): void {
    this.timesteps = timesteps;
    this.sigmas = Float32Array.from(sigmas);
    this.stepIndex = null;
  }

  /** diffusers `_init_step_index`: the first call after `setTimesteps` looks the timestep up, later calls count. */
  protected currentStepIndex(timestep: number): number {
    this.stepIndex ??= this.indexOf(timestep);
    if (this.stepIndex >= this.timesteps.length) throw scheduleExhausted(this.className);
    return this.stepIndex;
  }

  private indexOf(timestep: number): number {
    const index = indexForTimestep(this.timesteps, timestep);
    if (index === -1) throw unknownTimestep(this.className, timestep);
    return index;
  }
}
