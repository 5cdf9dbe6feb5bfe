import { PREDICTION_TYPES, type PredictionType } from './prediction-type.ts';
import type { ConfigReader } from './scheduler-config.ts';
import { TIMESTEP_SPACINGS, type TimestepSpacing } from './timestep-spacing.ts';

/**
 * The keys DDIM and LCM share: both step on ᾱ (alphas_cumprod) rather than sigmas, optionally clip the predicted x₀,
 * and define the ᾱ after the last step (diffusers scheduling_ddim.py and scheduling_lcm.py `__init__`).
 */
export type AlphaStepConfig = {
  /** Clamp the predicted x₀ to `[-clip_sample_range, clip_sample_range]`. */
  clip_sample: boolean;
  /** Bound used by `clip_sample`. */
  clip_sample_range: number;
  /** Use ᾱ = 1 after the last step; otherwise the first training ᾱ (what SD 1.x configs ship). */
  set_alpha_to_one: boolean;
  /** Added to `leading` timesteps (LCM keeps it for config compatibility only). */
  steps_offset: number;
  /** What the UNet predicts: noise (`epsilon`), velocity (`v_prediction`) or the clean sample (`sample`). */
  prediction_type: PredictionType;
  /** Dynamic thresholding needs per-image quantiles; not implemented by Stipple, so it must stay `false`. */
  thresholding: boolean;
  /** Quantile for dynamic thresholding (unused while `thresholding` is off). */
  dynamic_thresholding_ratio: number;
  /** Ceiling for dynamic thresholding (unused while `thresholding` is off). */
  sample_max_value: number;
  /** How inference timesteps are spread over the training range (LCM always uses its own spacing). */
  timestep_spacing: TimestepSpacing;
};

export function readAlphaStepConfig(reader: ConfigReader): AlphaStepConfig {
  reader.unsupported('thresholding', false);
  return {
    clip_sample: reader.boolean('clip_sample'),
    clip_sample_range: reader.number('clip_sample_range', { min: 0 }),
    set_alpha_to_one: reader.boolean('set_alpha_to_one'),
    steps_offset: reader.number('steps_offset', { min: 0, integer: true }),
    prediction_type: reader.oneOf('prediction_type', PREDICTION_TYPES),
    thresholding: false,
    dynamic_thresholding_ratio: reader.number('dynamic_thresholding_ratio'),
    sample_max_value: reader.number('sample_max_value'),
    timestep_spacing: reader.oneOf('timestep_spacing', TIMESTEP_SPACINGS),
  };
}
