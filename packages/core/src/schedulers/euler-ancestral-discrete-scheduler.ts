import { ValidationError } from '../errors.ts';
import type { RandomGenerator } from '../noise/random-generator.ts';
import { f32, interpAtIndex } from './array-math.ts';
import { type BetaScheduleConfig, readBetaScheduleConfig } from './beta-schedule.ts';
import type { SchedulerStepResult } from './scheduler.ts';
import { ConfigReader, resolveConfig, validateInferenceSteps } from './scheduler-config.ts';
import { trainingSigmas } from './sigma-schedule.ts';
import { SigmaScheduler } from './sigma-scheduler.ts';
import { eulerTimesteps, TIMESTEP_SPACINGS, type TimestepSpacing } from './timestep-spacing.ts';

/** `EulerAncestralDiscreteScheduler` options: the `scheduler_config.json` keys, defaults from diffusers' `__init__`. */
export type EulerAncestralDiscreteConfig = BetaScheduleConfig & {
  /** What the UNet predicts: noise (`epsilon`) or velocity (`v_prediction`); diffusers does not implement `sample`. */
  prediction_type: 'epsilon' | 'v_prediction';
  /** How inference timesteps are spread over the training range. */
  timestep_spacing: TimestepSpacing;
  /** Added to `leading` timesteps. */
  steps_offset: number;
};

export const EULER_ANCESTRAL_DISCRETE_DEFAULTS: Readonly<EulerAncestralDiscreteConfig> = Object.freeze({
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
  prediction_type: 'epsilon',
  timestep_spacing: 'linspace',
  steps_offset: 0,
  rescale_betas_zero_snr: false,
});

function readConfig(given: Readonly<Record<string, unknown>>): EulerAncestralDiscreteConfig {
  const reader = new ConfigReader(
    'EulerAncestralDiscreteScheduler',
    resolveConfig(EULER_ANCESTRAL_DISCRETE_DEFAULTS, given),
  );
  return {
    ...readBetaScheduleConfig(reader),
    prediction_type: reader.oneOf('prediction_type', ['epsilon', 'v_prediction'] as const),
    timestep_spacing: reader.oneOf('timestep_spacing', TIMESTEP_SPACINGS),
    steps_offset: reader.number('steps_offset', { min: 0, integer: true }),
  };
}

/**
 * Ancestral sampling with Euler steps (k-diffusion `sample_euler_ancestral`), ported from diffusers
 * scheduling_euler_ancestral_discrete.py: each step goes down to `σ_down` deterministically, then adds fresh noise of
 * standard deviation `σ_up`, drawn from the generator (`torch.randn` of the sample's shape).
 */
export class EulerAncestralDiscreteScheduler extends SigmaScheduler {
  readonly name = 'euler-ancestral';
  readonly className = 'EulerAncestralDiscreteScheduler';
  private readonly options: EulerAncestralDiscreteConfig;

  constructor(config: Readonly<Record<string, unknown>> = {}) {
    const options = readConfig(config);
    super(options, options, options.timestep_spacing);
    this.options = options;
  }

  setTimesteps(numInferenceSteps: number): void {
    const c = this.options;
    validateInferenceSteps(this.className, numInferenceSteps, c.num_train_timesteps);
    const timesteps = eulerTimesteps(c.timestep_spacing, c.num_train_timesteps, numInferenceSteps, c.steps_offset);
    const training = trainingSigmas(this.alphasCumprod);
    this.resetSchedule(timesteps, [...timesteps.map((t) => interpAtIndex(t, training)), 0]);
  }

  step(
    modelOutput: Float32Array,
    timestep: number,
    sample: Float32Array,
    generator?: RandomGenerator,
  ): SchedulerStepResult {
    if (generator === undefined) {
      throw new ValidationError('missing_generator', `${this.className}.step needs a RandomGenerator for its noise`);
    }
    const index = this.currentStepIndex(timestep);
    const sigma = this.sigmas[index];
    const sigmaTo = this.sigmas[index + 1];
    const predOriginalSample = this.predictOriginalSample(this.options.prediction_type, modelOutput, sample, sigma);

    const fromSquared = f32(sigma * sigma);
    const toSquared = f32(sigmaTo * sigmaTo);
    const sigmaUp = f32(Math.sqrt(f32(f32(toSquared * f32(fromSquared - toSquared)) / fromSquared)));
    const sigmaDown = f32(Math.sqrt(f32(toSquared - f32(sigmaUp * sigmaUp))));

    const dt = f32(sigmaDown - sigma);
    const noise = generator.randn(sample.length);
    const prevSample = this.eulerUpdate(sample, predOriginalSample, sigma, dt, { sigmaUp, noise });
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }
}
