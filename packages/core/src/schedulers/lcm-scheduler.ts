import { ValidationError } from '../errors.ts';
import type { RandomGenerator } from '../noise/random-generator.ts';
import { type AlphaStepConfig, readAlphaStepConfig } from './alpha-step-config.ts';
import { f32, linspace, weightedSum } from './array-math.ts';
import { type BetaScheduleConfig, computeAlphasCumprod, readBetaScheduleConfig } from './beta-schedule.ts';
import { alphaPrediction, clampSample, noiseToAlpha } from './prediction-type.ts';
import type { Scheduler, SchedulerStepResult } from './scheduler.ts';
import {
  ConfigReader,
  resolveConfig,
  timestepsNotSet,
  unknownTimestep,
  validateInferenceSteps,
} from './scheduler-config.ts';
import { indexForTimestep } from './timestep-spacing.ts';

/** `LCMScheduler` options: the `scheduler_config.json` keys, defaults from diffusers' `__init__`. */
export type LCMConfig = BetaScheduleConfig &
  AlphaStepConfig & {
    /** Length of the distillation schedule the inference timesteps are picked from. */
    original_inference_steps: number;
    /** Multiplies the timestep in the consistency boundary conditions `c_skip` / `c_out`. */
    timestep_scaling: number;
  };

export const LCM_DEFAULTS: Readonly<LCMConfig> = Object.freeze({
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  trained_betas: null,
  original_inference_steps: 50,
  clip_sample: false,
  clip_sample_range: 1.0,
  set_alpha_to_one: true,
  steps_offset: 0,
  prediction_type: 'epsilon',
  thresholding: false,
  dynamic_thresholding_ratio: 0.995,
  sample_max_value: 1.0,
  timestep_spacing: 'leading',
  timestep_scaling: 10.0,
  rescale_betas_zero_snr: false,
});

function readConfig(given: Readonly<Record<string, unknown>>): LCMConfig {
  const reader = new ConfigReader('LCMScheduler', resolveConfig(LCM_DEFAULTS, given));
  return {
    ...readBetaScheduleConfig(reader),
    original_inference_steps: reader.number('original_inference_steps', { min: 1, integer: true }),
    ...readAlphaStepConfig(reader),
    timestep_scaling: reader.number('timestep_scaling'),
  };
}

/** Latent Consistency Model multistep sampling (Luo et al. 2023), ported from diffusers scheduling_lcm.py. */
export class LCMScheduler implements Scheduler {
  readonly name = 'lcm';
  readonly className = 'LCMScheduler';
  readonly config: LCMConfig;
  readonly initNoiseSigma = 1;
  /** Cumulative product of `1 - β` over the training timesteps (float32). */
  readonly alphasCumprod: Float32Array;
  private readonly finalAlphaCumprod: number;
  timesteps: number[];
  private stepIndex: number | null = null;
  private numInferenceSteps: number | null = null;

  constructor(config: Readonly<Record<string, unknown>> = {}) {
    this.config = readConfig(config);
    this.alphasCumprod = computeAlphasCumprod(this.config, { zeroSnrFloor: false });
    this.finalAlphaCumprod = this.config.set_alpha_to_one ? 1 : this.alphasCumprod[0];
    const trainSteps = this.config.num_train_timesteps;
    this.timesteps = Array.from({ length: trainSteps }, (_, i) => trainSteps - 1 - i);
  }

  /**
   * diffusers `set_timesteps(num_inference_steps)` with its defaults (`original_inference_steps` from the config,
   * `strength = 1`): `n` evenly skipped entries of the distillation schedule `k·i - 1`, `k = T // original_steps`.
   */
  setTimesteps(numInferenceSteps: number): void {
    const { num_train_timesteps: trainSteps, original_inference_steps: originalSteps } = this.config;
    if (originalSteps > trainSteps) {
      throw new ValidationError(
        'invalid_scheduler_config',
        `LCMScheduler: original_inference_steps (${originalSteps}) cannot exceed num_train_timesteps (${trainSteps})`,
        { key: 'original_inference_steps', value: originalSteps, max: trainSteps },
      );
    }
    validateInferenceSteps(this.className, numInferenceSteps, originalSteps);
    const k = Math.floor(trainSteps / originalSteps);
    const origin = Array.from({ length: originalSteps }, (_, i) => (originalSteps - i) * k - 1);
    const indices = linspace(0, originalSteps, numInferenceSteps, false).map(Math.floor);
    this.timesteps = indices.map((i) => origin[i]);
    this.numInferenceSteps = numInferenceSteps;
    this.stepIndex = null;
  }

  /** Identity: LCM feeds the UNet the sample as is. */
  scaleModelInput(sample: Float32Array, _timestep: number): Float32Array {
    return sample;
  }

  /**
   * One consistency step. `predOriginalSample` is diffusers' `denoised` (boundary-conditioned x₀), which the LCM
   * pipeline decodes; every step but the last re-noises it to the next timestep with the generator.
   */
  step(
    modelOutput: Float32Array,
    timestep: number,
    sample: Float32Array,
    generator?: RandomGenerator,
  ): SchedulerStepResult {
    if (this.numInferenceSteps === null) throw timestepsNotSet(this.className);
    if (this.stepIndex === null) {
      const index = indexForTimestep(this.timesteps, timestep);
      if (index === -1) throw unknownTimestep(this.className, timestep);
      this.stepIndex = index;
    }
    const index = this.stepIndex;
    const prevTimestep = index + 1 < this.timesteps.length ? this.timesteps[index + 1] : timestep;
    const alphaProdT = this.alphasCumprod[timestep];
    const alphaProdPrev = prevTimestep >= 0 ? this.alphasCumprod[prevTimestep] : this.finalAlphaCumprod;

    // get_scalings_for_boundary_condition_discrete with sigma_data = 0.5, in float32 (the timestep is a tensor).
    const scaled = f32(timestep * f32(this.config.timestep_scaling));
    const denominator = f32(f32(scaled * scaled) + 0.25);
    const cSkip = f32(0.25 / denominator);
    const cOut = f32(scaled / f32(Math.sqrt(denominator)));

    let { predOriginalSample } = alphaPrediction(this.config.prediction_type, modelOutput, sample, alphaProdT);
    if (this.config.clip_sample) predOriginalSample = clampSample(predOriginalSample, this.config.clip_sample_range);
    const denoised = weightedSum([cOut, predOriginalSample], [cSkip, sample]);

    let prevSample = denoised;
    if (index !== this.numInferenceSteps - 1) {
      if (generator === undefined) {
        throw new ValidationError('missing_generator', `${this.className}.step needs a RandomGenerator for its noise`);
      }
      prevSample = noiseToAlpha(denoised, generator.randn(sample.length), alphaProdPrev);
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample: denoised };
  }

  /** Noises a clean sample to `timestep`: `√ᾱ·x + √(1-ᾱ)·ε` (diffusers `add_noise`). */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return noiseToAlpha(originalSamples, noise, this.alphasCumprod[timestep]);
  }
}
