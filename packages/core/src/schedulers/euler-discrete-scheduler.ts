import type { RandomGenerator } from '../noise/random-generator.ts';
import { f32, interpAtIndex, torchLinspaceFloat32 } from './array-math.ts';
import type { BetaScheduleConfig } from './beta-schedule.ts';
import { readBetaScheduleConfig } from './beta-schedule.ts';
import { PREDICTION_TYPES, type PredictionType } from './prediction-type.ts';
import type { SchedulerStepResult } from './scheduler.ts';
import { ConfigReader, resolveConfig, validateInferenceSteps } from './scheduler-config.ts';
import { firstTrainingSigma, karrasSigmas, logSigmas, sigmaToT, trainingSigmas } from './sigma-schedule.ts';
import { SigmaScheduler } from './sigma-scheduler.ts';
import { eulerTimesteps, TIMESTEP_SPACINGS, type TimestepSpacing } from './timestep-spacing.ts';

/** `EulerDiscreteScheduler` options: the `scheduler_config.json` keys, defaults from diffusers' `__init__`. */
export type EulerDiscreteConfig = BetaScheduleConfig & {
  /** What the UNet predicts: noise (`epsilon`), velocity (`v_prediction`) or the clean sample (`sample`). */
  prediction_type: PredictionType;
  /** How sigmas between training timesteps are found: `linear` interpolation, or `log_linear` spacing of all sigmas. */
  interpolation_type: 'linear' | 'log_linear';
  /** Replace the sigmas by the Karras et al. (2022) ρ = 7 schedule between the extreme sigmas. */
  use_karras_sigmas: boolean;
  /** Not implemented by Stipple: must stay `false`. */
  use_exponential_sigmas: boolean;
  /** Not implemented by Stipple: must stay `false`. */
  use_beta_sigmas: boolean;
  /** Lower end of the Karras schedule (default: the smallest training sigma). */
  sigma_min: number | null;
  /** Upper end of the Karras schedule (default: the largest training sigma). */
  sigma_max: number | null;
  /** How inference timesteps are spread over the training range. */
  timestep_spacing: TimestepSpacing;
  /** `continuous` feeds `0.25·ln σ` as the timestep (with `v_prediction` only, as in diffusers). */
  timestep_type: 'discrete' | 'continuous';
  /** Added to `leading` timesteps. */
  steps_offset: number;
  /** The sigma after the last step: `zero`, or the smallest training sigma (`sigma_min`). */
  final_sigmas_type: 'zero' | 'sigma_min';
};

export const EULER_DISCRETE_DEFAULTS: Readonly<EulerDiscreteConfig> = Object.freeze({
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
  prediction_type: 'epsilon',
  interpolation_type: 'linear',
  use_karras_sigmas: false,
  use_exponential_sigmas: false,
  use_beta_sigmas: false,
  sigma_min: null,
  sigma_max: null,
  timestep_spacing: 'linspace',
  timestep_type: 'discrete',
  steps_offset: 0,
  rescale_betas_zero_snr: false,
  final_sigmas_type: 'zero',
});

function readConfig(given: Readonly<Record<string, unknown>>): EulerDiscreteConfig {
  const reader = new ConfigReader('EulerDiscreteScheduler', resolveConfig(EULER_DISCRETE_DEFAULTS, given));
  reader.unsupported('use_exponential_sigmas', false);
  reader.unsupported('use_beta_sigmas', false);
  return {
    ...readBetaScheduleConfig(reader),
    prediction_type: reader.oneOf('prediction_type', PREDICTION_TYPES),
    interpolation_type: reader.oneOf('interpolation_type', ['linear', 'log_linear'] as const),
    use_karras_sigmas: reader.boolean('use_karras_sigmas'),
    use_exponential_sigmas: false,
    use_beta_sigmas: false,
    sigma_min: reader.optionalNumber('sigma_min'),
    sigma_max: reader.optionalNumber('sigma_max'),
    timestep_spacing: reader.oneOf('timestep_spacing', TIMESTEP_SPACINGS),
    timestep_type: reader.oneOf('timestep_type', ['discrete', 'continuous'] as const),
    steps_offset: reader.number('steps_offset', { min: 0, integer: true }),
    final_sigmas_type: reader.oneOf('final_sigmas_type', ['zero', 'sigma_min'] as const),
  };
}

/**
 * Euler's method on the probability-flow ODE (Karras et al. 2022, Algorithm 2 without churn), ported from diffusers
 * scheduling_euler_discrete.py. Deterministic: `step` never draws noise (`s_churn` is not exposed).
 */
export class EulerDiscreteScheduler extends SigmaScheduler {
  readonly name = 'euler';
  readonly className = 'EulerDiscreteScheduler';
  private readonly options: EulerDiscreteConfig;

  constructor(config: Readonly<Record<string, unknown>> = {}) {
    const options = readConfig(config);
    super(options, options, options.timestep_spacing);
    this.options = options;
    if (this.continuousTimesteps) this.timesteps = this.continuousTimestepsFor(this.sigmas);
  }

  private get continuousTimesteps(): boolean {
    return this.options.timestep_type === 'continuous' && this.options.prediction_type === 'v_prediction';
  }

  setTimesteps(numInferenceSteps: number): void {
    const c = this.options;
    validateInferenceSteps(this.className, numInferenceSteps, c.num_train_timesteps);
    let timesteps = eulerTimesteps(c.timestep_spacing, c.num_train_timesteps, numInferenceSteps, c.steps_offset);
    const training = trainingSigmas(this.alphasCumprod);
    let sigmas: number[];
    if (c.interpolation_type === 'linear') {
      sigmas = timesteps.map((t) => interpAtIndex(t, training));
    } else {
      // torch.linspace of the float32 log sigmas, one point more than the steps, exactly as diffusers does.
      const ends = [Math.log(training[training.length - 1]), Math.log(training[0])].map(f32);
      sigmas = Array.from(torchLinspaceFloat32(ends[0], ends[1], numInferenceSteps + 1).map(Math.exp));
    }
    if (c.use_karras_sigmas) {
      const sigmaMin = c.sigma_min ?? sigmas[sigmas.length - 1];
      const sigmaMax = c.sigma_max ?? sigmas[0];
      sigmas = karrasSigmas(sigmaMin, sigmaMax, numInferenceSteps);
      const logs = logSigmas(training);
      timesteps = sigmas.map((sigma) => f32(sigmaToT(sigma, logs)));
    }
    const last = c.final_sigmas_type === 'sigma_min' ? firstTrainingSigma(this.alphasCumprod) : 0;
    const schedule = Float32Array.from([...sigmas, last]);
    this.resetSchedule(this.continuousTimesteps ? this.continuousTimestepsFor(schedule) : timesteps, schedule);
  }

  step(
    modelOutput: Float32Array,
    timestep: number,
    sample: Float32Array,
    _generator?: RandomGenerator,
  ): SchedulerStepResult {
    const index = this.currentStepIndex(timestep);
    // With s_churn = 0 diffusers' gamma is 0, so sigma_hat = sigma and no noise is drawn.
    const sigma = this.sigmas[index];
    const predOriginalSample = this.predictOriginalSample(this.options.prediction_type, modelOutput, sample, sigma);
    const dt = f32(this.sigmas[index + 1] - sigma);
    const prevSample = this.eulerUpdate(sample, predOriginalSample, sigma, dt);
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }

  /** `timestep_type: continuous`: `0.25 · ln σ` for every sigma but the final one (float32). */
  private continuousTimestepsFor(sigmas: Float32Array): number[] {
    return Array.from(sigmas.subarray(0, -1), (sigma) => f32(0.25 * f32(Math.log(sigma))));
  }
}
