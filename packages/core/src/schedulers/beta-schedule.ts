import { ValidationError } from '../errors.ts';
import { cumprodFloat32, f32, torchLinspaceFloat32 } from './array-math.ts';
import type { ConfigReader } from './scheduler-config.ts';

export const BETA_SCHEDULES = ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const;
export type BetaSchedule = (typeof BETA_SCHEDULES)[number];

/** The `scheduler_config.json` keys every scheduler here shares to build its training noise schedule. */
export type BetaScheduleConfig = {
  /** Number of diffusion steps the model was trained with. */
  num_train_timesteps: number;
  /** First beta of the `linear` / `scaled_linear` schedules. */
  beta_start: number;
  /** Last beta of the `linear` / `scaled_linear` schedules. */
  beta_end: number;
  /** How betas go from `beta_start` to `beta_end`; `squaredcos_cap_v2` is the Glide cosine schedule. */
  beta_schedule: BetaSchedule;
  /** Explicit betas, overriding `beta_schedule` (must have `num_train_timesteps` entries). */
  trained_betas: number[] | null;
  /** Rescale betas to zero terminal SNR (https://huggingface.co/papers/2305.08891, Algorithm 1). */
  rescale_betas_zero_snr: boolean;
};

/** Reads and checks the shared keys of an already resolved config. */
export function readBetaScheduleConfig(reader: ConfigReader): BetaScheduleConfig {
  const config: BetaScheduleConfig = {
    num_train_timesteps: reader.number('num_train_timesteps', { min: 1, integer: true }),
    beta_start: reader.number('beta_start', { min: 0 }),
    beta_end: reader.number('beta_end', { min: 0 }),
    beta_schedule: reader.oneOf('beta_schedule', BETA_SCHEDULES),
    trained_betas: reader.numberList('trained_betas'),
    rescale_betas_zero_snr: reader.boolean('rescale_betas_zero_snr'),
  };
  if (config.trained_betas !== null && config.trained_betas.length !== config.num_train_timesteps) {
    throw new ValidationError(
      'invalid_scheduler_config',
      `trained_betas has ${config.trained_betas.length} entries but num_train_timesteps is ${config.num_train_timesteps}`,
      { key: 'trained_betas', value: config.trained_betas.length, expected: config.num_train_timesteps },
    );
  }
  return config;
}

/** The float32 betas each diffusers scheduler builds in `__init__`. */
export function computeBetas(config: BetaScheduleConfig): Float32Array {
  const { num_train_timesteps: n, beta_start: start, beta_end: end } = config;
  if (config.trained_betas !== null) return Float32Array.from(config.trained_betas);
  switch (config.beta_schedule) {
    case 'linear':
      return torchLinspaceFloat32(start, end, n);
    case 'scaled_linear':
      // "very specific to the latent diffusion model": linspace over sqrt(beta), squared in float32.
      return torchLinspaceFloat32(Math.sqrt(start), Math.sqrt(end), n).map((b) => b * b);
    case 'squaredcos_cap_v2':
      return betasForAlphaBar(n);
  }
}

/**
 * scheduling_ddpm.py `betas_for_alpha_bar` with the cosine `alpha_bar` (Glide): computed in float64 like Python, then
 * stored as a float32 tensor.
 */
export function betasForAlphaBar(n: number, maxBeta = 0.999): Float32Array {
  const alphaBar = (t: number) => Math.cos((((t + 0.008) / 1.008) * Math.PI) / 2) ** 2;
  return Float32Array.from({ length: n }, (_, i) => Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), maxBeta));
}

/** scheduling_ddim.py `rescale_zero_terminal_snr`, in float32 like the torch original. */
export function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const sqrtBar = cumprodFloat32(betas.map((b) => 1 - b)).map(Math.sqrt);
  const first = sqrtBar[0];
  const last = sqrtBar[sqrtBar.length - 1];
  const scale = f32(first / f32(first - last));
  // Shift so the last timestep is zero, then scale so the first is back to its old value.
  const bar = sqrtBar.map((v) => f32(f32(v - last) * scale)).map((v) => v * v);
  return bar.map((v, i) => 1 - (i === 0 ? v : f32(v / bar[i - 1])));
}

/**
 * `alphas_cumprod` as each scheduler's `__init__` builds it: betas, the optional zero-SNR rescale, `cumprod(1 - β)`.
 * `zeroSnrFloor` mirrors the Euler / DPM-Solver classes, which then set the last entry to 2^-24 so the first sigma is
 * finite; DDIM and LCM keep the exact zero.
 */
export function computeAlphasCumprod(
  config: BetaScheduleConfig,
  { zeroSnrFloor }: { zeroSnrFloor: boolean },
): Float32Array {
  let betas = computeBetas(config);
  if (config.rescale_betas_zero_snr) betas = rescaleZeroTerminalSnr(betas);
  const alphasCumprod = cumprodFloat32(betas.map((b) => 1 - b));
  if (config.rescale_betas_zero_snr && zeroSnrFloor) alphasCumprod[alphasCumprod.length - 1] = 2 ** -24;
  return alphasCumprod;
}
