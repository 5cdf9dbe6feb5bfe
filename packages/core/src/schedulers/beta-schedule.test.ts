import { describe, expect, it } from 'vitest';
import {
  type BetaScheduleConfig,
  computeAlphasCumprod,
  computeBetas,
  rescaleZeroTerminalSnr,
} from './beta-schedule.ts';

const LINEAR: BetaScheduleConfig = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
  rescale_betas_zero_snr: false,
};
const SCALED: BetaScheduleConfig = { ...LINEAR, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear' };

/**
 * Expected values are printed by torch 1.13 on the CPU for the same diffusers expressions. Its vectorised
 * `torch.linspace` differs by an ulp in some entries from the scalar kernel of current torch that Stipple follows, so
 * values are compared to a relative tolerance (looser after the zero-SNR rescale, whose `1 - α` cancels digits).
 */
function expectNear(actual: ArrayLike<number>, indices: number[], expected: number[], relative = 2e-7): void {
  indices.forEach((index, i) => {
    expect(Math.abs(actual[index] - expected[i])).toBeLessThanOrEqual(Math.abs(expected[i]) * relative);
  });
}

describe('computeBetas', () => {
  it('linear: torch.linspace(0.0001, 0.02, 5) in float32', () => {
    const betas = computeBetas({ ...LINEAR, num_train_timesteps: 5 });
    expect(Array.from(betas)).toEqual([
      9.999999747378752e-5, 0.005074999760836363, 0.010049999691545963, 0.015024999156594276, 0.019999999552965164,
    ]);
  });

  it('scaled_linear: torch.linspace(√0.00085, √0.012, 1000) ** 2', () => {
    expectNear(
      computeBetas(SCALED),
      [0, 1, 500, 999],
      [0.0008499999530613422, 0.0008546985918655992, 0.004814954474568367, 0.011999999172985554],
    );
  });

  it('squaredcos_cap_v2: the Glide cosine schedule capped at 0.999', () => {
    const betas = computeBetas({ ...LINEAR, beta_schedule: 'squaredcos_cap_v2' });
    expectNear(betas, [0, 500, 999], [4.128422369831242e-5, 0.003155691549181938, 0.9990000128746033]);
  });

  it('trained_betas are used as given (in float32)', () => {
    const betas = computeBetas({ ...LINEAR, num_train_timesteps: 2, trained_betas: [0.1, 0.3] });
    expect(Array.from(betas)).toEqual([Math.fround(0.1), Math.fround(0.3)]);
  });
});

describe('computeAlphasCumprod', () => {
  it('is torch.cumprod(1 - betas) (double accumulation, float32 results)', () => {
    expectNear(
      computeAlphasCumprod(LINEAR, { zeroSnrFloor: false }),
      [0, 499, 999],
      [0.9998999834060669, 0.07858724147081375, 4.0358307160204276e-5],
    );
  });

  it('rescale_betas_zero_snr reaches ᾱ = 0 at the last step, floored to 2^-24 for the sigma schedulers', () => {
    const rescaled = { ...SCALED, rescale_betas_zero_snr: true };
    const exact = computeAlphasCumprod(rescaled, { zeroSnrFloor: false });
    expectNear(exact, [0, 500, 998], [0.9991499781608582, 0.24101859331130981, 1.9678900287090073e-7], 1e-4);
    expect(exact[999]).toBe(0);
    expect(computeAlphasCumprod(rescaled, { zeroSnrFloor: true })[999]).toBe(2 ** -24);
  });

  it('rescaleZeroTerminalSnr matches the torch betas', () => {
    const betas = rescaleZeroTerminalSnr(computeBetas(SCALED));
    const expected = [0.0008500218391418457, 0.0009172558784484863, 0.0055304765701293945, 1.0];
    expectNear(betas, [0, 1, 500, 999], expected, 1e-4);
  });
});
