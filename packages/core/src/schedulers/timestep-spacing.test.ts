import { describe, expect, it } from 'vitest';
import { EulerAncestralDiscreteScheduler } from './euler-ancestral-discrete-scheduler.ts';
import { EulerDiscreteScheduler } from './euler-discrete-scheduler.ts';
import { eulerTimesteps, indexForTimestep } from './timestep-spacing.ts';

// Expected arrays computed by hand from the diffusers formulas (scheduling_euler_discrete.py `set_timesteps`) for
// 1000 training steps: linspace = linspace(0, 999, n) reversed (float32, not rounded); leading = arange(n) · (1000 // n)
// reversed, plus steps_offset; trailing = round(arange(1000, 0, -1000 / n)) - 1.
describe('eulerTimesteps', () => {
  it.each([
    ['linspace', 10, 0, [999, 888, 777, 666, 555, 444, 333, 222, 111, 0]],
    ['linspace', 7, 0, [999, 832.5, 666, 499.5, 333, 166.5, 0]],
    ['leading', 10, 1, [901, 801, 701, 601, 501, 401, 301, 201, 101, 1]],
    ['leading', 3, 0, [666, 333, 0]],
    ['trailing', 10, 0, [999, 899, 799, 699, 599, 499, 399, 299, 199, 99]],
    ['trailing', 3, 0, [999, 666, 332]],
  ] as const)('%s, %i steps, steps_offset %i', (spacing, steps, offset, expected) => {
    expect(eulerTimesteps(spacing, 1000, steps, offset)).toEqual(expected);
  });

  it('keeps numpy’s extra trailing timestep for step ratios like 1000 / 61, as diffusers does', () => {
    const timesteps = eulerTimesteps('trailing', 1000, 61, 0);
    expect(timesteps).toHaveLength(62);
    expect(timesteps.slice(0, 3)).toEqual([999, 983, 966]);
    expect(timesteps.slice(-3)).toEqual([32, 15, -1]);
  });

  it('gives the same timesteps to both Euler schedulers', () => {
    for (const timestep_spacing of ['linspace', 'leading', 'trailing']) {
      const euler = new EulerDiscreteScheduler({ timestep_spacing, steps_offset: 1 });
      const ancestral = new EulerAncestralDiscreteScheduler({ timestep_spacing, steps_offset: 1 });
      euler.setTimesteps(25);
      ancestral.setTimesteps(25);
      expect(euler.timesteps).toEqual(ancestral.timesteps);
      expect(Array.from(euler.sigmas)).toEqual(Array.from(ancestral.sigmas));
    }
  });

  it('uses init_noise_sigma = max σ for linspace/trailing and √(max σ² + 1) for leading (SD 1.x betas)', () => {
    const config = { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012 };
    // Before set_timesteps the schedule is the training one; torch: sigmas.max() = 14.614645004272461 and
    // (max ** 2 + 1) ** 0.5 = 14.64881706237793. Afterwards it is the max of the inference sigmas.
    for (const [timestep_spacing, expected] of [
      ['linspace', 14.614645004272461],
      ['trailing', 14.614645004272461],
      ['leading', 14.64881706237793],
    ] as const) {
      const scheduler = new EulerDiscreteScheduler({ ...config, timestep_spacing });
      expect(scheduler.initNoiseSigma).toBeCloseTo(expected, 5);
      scheduler.setTimesteps(30);
      const max = scheduler.sigmas[0];
      const expectedAfter = timestep_spacing === 'leading' ? Math.sqrt(max * max + 1) : max;
      expect(scheduler.initNoiseSigma).toBeCloseTo(expectedAfter, 5);
    }
  });
});

describe('indexForTimestep', () => {
  it('takes the second match of a repeated timestep and -1 for a missing one', () => {
    expect(indexForTimestep([999, 999, 500, 0], 999)).toBe(1);
    expect(indexForTimestep([999, 500, 0], 500)).toBe(1);
    expect(indexForTimestep([999, 500, 0], 1)).toBe(-1);
  });
});
