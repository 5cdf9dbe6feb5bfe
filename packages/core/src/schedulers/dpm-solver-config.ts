import { ValidationError } from '../errors.ts';
import { type BetaScheduleConfig, readBetaScheduleConfig } from './beta-schedule.ts';
import type { DpmSolverAlgorithm, DpmSolverType } from './dpm-solver-updates.ts';
import { PREDICTION_TYPES, type PredictionType } from './prediction-type.ts';
import { ConfigReader, resolveConfig } from './scheduler-config.ts';
import { TIMESTEP_SPACINGS, type TimestepSpacing } from './timestep-spacing.ts';

/** `DPMSolverMultistepScheduler` options: the `scheduler_config.json` keys, defaults from diffusers' `__init__`. */
export type DpmSolverMultistepConfig = BetaScheduleConfig & {
  /** Order of the multistep solver: 2 for guided sampling, 3 for unconditional, 1 is DDIM-like. */
  solver_order: 1 | 2 | 3;
  /** What the UNet predicts: noise (`epsilon`), velocity (`v_prediction`) or the clean sample (`sample`). */
  prediction_type: PredictionType;
  /** Not implemented by Stipple (needs per-image quantiles): must stay `false`. */
  thresholding: boolean;
  /** Quantile for dynamic thresholding (unused while `thresholding` is off). */
  dynamic_thresholding_ratio: number;
  /** Ceiling for dynamic thresholding (unused while `thresholding` is off). */
  sample_max_value: number;
  /** `dpmsolver++` (data prediction, the usual choice) or `dpmsolver` (noise prediction); `deis` maps to `dpmsolver++`. */
  algorithm_type: DpmSolverAlgorithm;
  /** Second-order formula; `logrho`, `bh1`, `bh2` (other schedulers' values) map to `midpoint` as in diffusers. */
  solver_type: DpmSolverType;
  /** Use lower-order steps at the end of schedules shorter than 15 steps (stabilises few-step sampling). */
  lower_order_final: boolean;
  /** Use a first-order (Euler) final step whatever the schedule length. */
  euler_at_final: boolean;
  /** Replace the sigmas by the Karras et al. (2022) ρ = 7 schedule (timesteps rounded to integers). */
  use_karras_sigmas: boolean;
  /** Not implemented by Stipple: must stay `false`. */
  use_exponential_sigmas: boolean;
  /** Not implemented by Stipple: must stay `false`. */
  use_beta_sigmas: boolean;
  /** Not implemented by Stipple: must stay `false`. */
  use_lu_lambdas: boolean;
  /** Not implemented by Stipple: must stay `false`. */
  use_flow_sigmas: boolean;
  /** Flow-matching shift (unused while `use_flow_sigmas` is off). */
  flow_shift: number;
  /** The sigma after the last step: `zero` (dpmsolver++ only), or the smallest training sigma (`sigma_min`). */
  final_sigmas_type: 'zero' | 'sigma_min';
  /** Drop training timesteps whose log-SNR λ is below this (cosine schedules); `-Infinity` keeps them all. */
  lambda_min_clipped: number;
  /** Learned-variance UNets (`learned`, `learned_range`) are not supported: must stay `null`. */
  variance_type: null;
  /** How inference timesteps are spread over the training range. */
  timestep_spacing: TimestepSpacing;
  /** Added to `leading` timesteps. */
  steps_offset: number;
  /** Not implemented by Stipple: must stay `false`. */
  use_dynamic_shifting: boolean;
  /** Time shift for dynamic shifting (unused while `use_dynamic_shifting` is off). */
  time_shift_type: 'exponential';
};

export const DPM_SOLVER_MULTISTEP_DEFAULTS: Readonly<DpmSolverMultistepConfig> = Object.freeze({
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
  solver_order: 2,
  prediction_type: 'epsilon',
  thresholding: false,
  dynamic_thresholding_ratio: 0.995,
  sample_max_value: 1.0,
  algorithm_type: 'dpmsolver++',
  solver_type: 'midpoint',
  lower_order_final: true,
  euler_at_final: false,
  use_karras_sigmas: false,
  use_exponential_sigmas: false,
  use_beta_sigmas: false,
  use_lu_lambdas: false,
  use_flow_sigmas: false,
  flow_shift: 1.0,
  final_sigmas_type: 'zero',
  lambda_min_clipped: -Infinity,
  variance_type: null,
  timestep_spacing: 'linspace',
  steps_offset: 0,
  rescale_betas_zero_snr: false,
  use_dynamic_shifting: false,
  time_shift_type: 'exponential',
});

const CLASS_NAME = 'DPMSolverMultistepScheduler';

/** Resolves and checks a config, applying diffusers' `__init__` remaps (`deis` → `dpmsolver++`, …) and checks. */
export function readDpmSolverConfig(given: Readonly<Record<string, unknown>>): DpmSolverMultistepConfig {
  const resolved: Record<string, unknown> = resolveConfig(DPM_SOLVER_MULTISTEP_DEFAULTS, given);
  // diffusers re-registers these values of sibling schedulers (DEIS, UniPC) instead of failing.
  if (resolved.algorithm_type === 'deis') resolved.algorithm_type = 'dpmsolver++';
  if (['logrho', 'bh1', 'bh2'].includes(resolved.solver_type as string)) resolved.solver_type = 'midpoint';
  const reader = new ConfigReader(CLASS_NAME, resolved);
  const offFlags = ['thresholding', 'use_exponential_sigmas', 'use_beta_sigmas', 'use_lu_lambdas', 'use_flow_sigmas'];
  for (const key of [...offFlags, 'use_dynamic_shifting']) reader.unsupported(key, false);
  reader.unsupported('variance_type', null);
  const config: DpmSolverMultistepConfig = {
    ...readBetaScheduleConfig(reader),
    solver_order: reader.oneOf('solver_order', [1, 2, 3] as const),
    prediction_type: reader.oneOf('prediction_type', PREDICTION_TYPES),
    thresholding: false,
    dynamic_thresholding_ratio: reader.number('dynamic_thresholding_ratio'),
    sample_max_value: reader.number('sample_max_value'),
    algorithm_type: reader.oneOf('algorithm_type', ['dpmsolver++', 'dpmsolver'] as const),
    solver_type: reader.oneOf('solver_type', ['midpoint', 'heun'] as const),
    lower_order_final: reader.boolean('lower_order_final'),
    euler_at_final: reader.boolean('euler_at_final'),
    use_karras_sigmas: reader.boolean('use_karras_sigmas'),
    use_exponential_sigmas: false,
    use_beta_sigmas: false,
    use_lu_lambdas: false,
    use_flow_sigmas: false,
    flow_shift: reader.number('flow_shift'),
    final_sigmas_type: reader.oneOf('final_sigmas_type', ['zero', 'sigma_min'] as const),
    lambda_min_clipped: reader.number('lambda_min_clipped'),
    variance_type: null,
    timestep_spacing: reader.oneOf('timestep_spacing', TIMESTEP_SPACINGS),
    steps_offset: reader.number('steps_offset', { min: 0, integer: true }),
    use_dynamic_shifting: false,
    time_shift_type: reader.oneOf('time_shift_type', ['exponential'] as const),
  };
  if (config.algorithm_type === 'dpmsolver' && config.final_sigmas_type === 'zero') {
    throw new ValidationError(
      'invalid_scheduler_config',
      `${CLASS_NAME}: final_sigmas_type "zero" is not supported with algorithm_type "dpmsolver"; use "sigma_min"`,
      { scheduler: CLASS_NAME, key: 'final_sigmas_type', value: 'zero' },
    );
  }
  return config;
}
