import { ValidationError } from '../errors.ts';
import type { RandomGenerator } from '../noise/random-generator.ts';
import { type AlphaStepConfig, readAlphaStepConfig } from './alpha-step-config.ts';
import { f32, weightedSum } from './array-math.ts';
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
import { ddimTimesteps } from './timestep-spacing.ts';

/** `DDIMScheduler` options: the `scheduler_config.json` keys, defaults from diffusers' `__init__`. */
export type DDIMConfig = BetaScheduleConfig & AlphaStepConfig;

export const DDIM_DEFAULTS: Readonly<DDIMConfig> = Object.freeze({
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
  clip_sample: true,
  set_alpha_to_one: true,
  steps_offset: 0,
  prediction_type: 'epsilon',
  thresholding: false,
  dynamic_thresholding_ratio: 0.995,
  clip_sample_range: 1.0,
  sample_max_value: 1.0,
  timestep_spacing: 'leading',
  rescale_betas_zero_snr: false,
});

function readConfig(given: Readonly<Record<string, unknown>>): DDIMConfig {
  const reader = new ConfigReader('DDIMScheduler', resolveConfig(DDIM_DEFAULTS, given));
  return {
    ...readBetaScheduleConfig(reader),
    ...readAlphaStepConfig(reader),
  };
}

/**
 * Denoising Diffusion Implicit Models (Song et al. 2020), ported from diffusers scheduling_ddim.py. Deterministic for
 * `eta = 0` (the default); `eta > 0` adds noise from the generator, `eta = 1` being DDPM-like.
 */
export class DDIMScheduler implements Scheduler {
  readonly name = 'ddim';
  readonly className = 'DDIMScheduler';
  readonly config: DDIMConfig;
  readonly initNoiseSigma = 1;
  /** Cumulative product of `1 - β` over the training timesteps (float32). */
  readonly alphasCumprod: Float32Array;
  /** ᾱ used after the final step (`set_alpha_to_one`). */
  readonly finalAlphaCumprod: number;
  timesteps: number[];
  private numInferenceSteps: number | null = null;

  constructor(config: Readonly<Record<string, unknown>> = {}) {
    this.config = readConfig(config);
    this.alphasCumprod = computeAlphasCumprod(this.config, { zeroSnrFloor: false });
    this.finalAlphaCumprod = this.config.set_alpha_to_one ? 1 : this.alphasCumprod[0];
    this.timesteps = Array.from(
      { length: this.config.num_train_timesteps },
      (_, i) => this.config.num_train_timesteps - 1 - i,
    );
  }

  setTimesteps(numInferenceSteps: number): void {
    const c = this.config;
    validateInferenceSteps(this.className, numInferenceSteps, c.num_train_timesteps);
    this.numInferenceSteps = numInferenceSteps;
    this.timesteps = ddimTimesteps(c.timestep_spacing, c.num_train_timesteps, numInferenceSteps, c.steps_offset);
  }

  /** Identity: DDIM feeds the UNet the sample as is. */
  scaleModelInput(sample: Float32Array, _timestep: number): Float32Array {
    return sample;
  }

  /** Variance of the noise DDIM would add between two timesteps (diffusers `_get_variance`, float32). */
  variance(timestep: number, prevTimestep: number): number {
    const alphaProdT = this.alphasCumprod[timestep];
    const alphaProdPrev = this.alphaAt(prevTimestep);
    const betaProdT = f32(1 - alphaProdT);
    const betaProdPrev = f32(1 - alphaProdPrev);
    return f32(f32(betaProdPrev / betaProdT) * f32(1 - f32(alphaProdT / alphaProdPrev)));
  }

  /**
   * One DDIM update (Eq. 12 of the paper). `eta` weights the added noise as in diffusers' `step(eta=…)`; with
   * `eta > 0` the generator is required.
   */
  step(
    modelOutput: Float32Array,
    timestep: number,
    sample: Float32Array,
    generator?: RandomGenerator,
    eta = 0,
  ): SchedulerStepResult {
    if (this.numInferenceSteps === null) throw timestepsNotSet(this.className);
    if (!Number.isInteger(timestep) || timestep < 0 || timestep >= this.alphasCumprod.length) {
      throw unknownTimestep(this.className, timestep);
    }
    const prevTimestep = timestep - Math.floor(this.config.num_train_timesteps / this.numInferenceSteps);
    const alphaProdT = this.alphasCumprod[timestep];
    const alphaProdPrev = this.alphaAt(prevTimestep);
    const prediction = alphaPrediction(this.config.prediction_type, modelOutput, sample, alphaProdT);
    const predOriginalSample = this.config.clip_sample
      ? clampSample(prediction.predOriginalSample, this.config.clip_sample_range)
      : prediction.predOriginalSample;

    const stdDev = f32(f32(eta) * f32(Math.sqrt(this.variance(timestep, prevTimestep))));
    const directionScale = f32(Math.sqrt(f32(f32(1 - alphaProdPrev) - f32(stdDev * stdDev))));
    const direction = prediction.predEpsilon.map((e) => directionScale * e);
    const terms: [number, Float32Array][] = [
      [f32(Math.sqrt(alphaProdPrev)), predOriginalSample],
      [1, direction],
    ];
    if (eta > 0) {
      if (generator === undefined) {
        throw new ValidationError('missing_generator', `${this.className}.step with eta > 0 needs a RandomGenerator`);
      }
      terms.push([stdDev, generator.randn(sample.length)]);
    }
    return { prevSample: weightedSum(...terms), predOriginalSample };
  }

  /** Noises a clean sample to `timestep`: `√ᾱ·x + √(1-ᾱ)·ε` (diffusers `add_noise`). */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return noiseToAlpha(originalSamples, noise, this.alphasCumprod[timestep]);
  }

  private alphaAt(timestep: number): number {
    return timestep >= 0 ? this.alphasCumprod[timestep] : this.finalAlphaCumprod;
  }
}
