import { describe, expect, it } from 'vitest';
import { runSchedulerCommonSuite } from '../../test-support/scheduler-common-suite.ts';
import {
  dummyNoiseDeter,
  dummySampleDeter,
  expectWithin,
  meanAbs,
  runLoop,
  sumAbs,
} from '../../test-support/scheduler-test-fixtures.ts';
import { createGenerator } from '../noise/torch-generator.ts';
import { DDIM_DEFAULTS, DDIMScheduler } from './ddim-scheduler.ts';

// tests/schedulers/test_scheduler_ddim.py `get_scheduler_config`.
const BASE = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  clip_sample: true,
};

runSchedulerCommonSuite({
  create: (config) => new DDIMScheduler({ ...BASE, ...config }),
  defaults: DDIM_DEFAULTS,
  variants: [
    { prediction_type: 'v_prediction' },
    { prediction_type: 'sample' },
    { clip_sample: false },
    { set_alpha_to_one: false, steps_offset: 1 },
    { beta_schedule: 'squaredcos_cap_v2' },
    { beta_schedule: 'scaled_linear' },
    { timestep_spacing: 'linspace' },
    { timestep_spacing: 'trailing', rescale_betas_zero_snr: true, prediction_type: 'v_prediction' },
  ],
});

/** test_scheduler_ddim.py `full_loop`: 10 steps, eta 0, from `dummy_sample_deter`, without scale_model_input. */
function fullLoop(config: Record<string, unknown> = {}): Float32Array {
  const scheduler = new DDIMScheduler({ ...BASE, ...config });
  scheduler.setTimesteps(10);
  return runLoop(scheduler, dummySampleDeter());
}

describe('DDIMScheduler diffusers tests (test_scheduler_ddim.py)', () => {
  it('test_full_loop_no_noise', () => {
    const sample = fullLoop();
    expectWithin(sumAbs(sample), 172.0067, 1e-2);
    expectWithin(meanAbs(sample), 0.223967, 1e-3);
  });

  it('test_full_loop_with_v_prediction', () => {
    const sample = fullLoop({ prediction_type: 'v_prediction' });
    expectWithin(sumAbs(sample), 52.5302, 1e-2);
    expectWithin(meanAbs(sample), 0.0684, 1e-3);
  });

  it('test_full_loop_with_set_alpha_to_one', () => {
    const sample = fullLoop({ set_alpha_to_one: true, beta_start: 0.01 });
    expectWithin(sumAbs(sample), 149.8295, 1e-2);
    expectWithin(meanAbs(sample), 0.1951, 1e-3);
  });

  it('test_full_loop_with_no_set_alpha_to_one', () => {
    const sample = fullLoop({ set_alpha_to_one: false, beta_start: 0.01 });
    expectWithin(sumAbs(sample), 149.0784, 1e-2);
    expectWithin(meanAbs(sample), 0.1941, 1e-3);
  });

  it('test_full_loop_with_noise', () => {
    const scheduler = new DDIMScheduler(BASE);
    scheduler.setTimesteps(10);
    const tStart = 8;
    const noised = scheduler.addNoise(dummySampleDeter(), dummyNoiseDeter(), scheduler.timesteps[tStart]);
    const sample = runLoop(scheduler, noised, { start: tStart });
    expectWithin(sumAbs(sample), 354.5418, 1e-2);
    expectWithin(meanAbs(sample), 0.4616, 1e-3);
  });

  it('test_steps_offset', () => {
    const scheduler = new DDIMScheduler({ ...BASE, steps_offset: 1 });
    scheduler.setTimesteps(5);
    expect(scheduler.timesteps).toEqual([801, 601, 401, 201, 1]);
  });

  it('test_variance', () => {
    const scheduler = new DDIMScheduler(BASE);
    const cases: [number, number, number][] = [
      [0, 0, 0],
      [420, 400, 0.14771],
      [980, 960, 0.3246],
      [487, 486, 0.00979],
      [999, 998, 0.02],
    ];
    for (const [t, prev, expected] of cases) expectWithin(scheduler.variance(t, prev), expected, 1e-5);
  });
});

describe('DDIMScheduler timesteps and eta', () => {
  // set_timesteps formulas by hand for 1000 training steps and 10 steps:
  // leading = arange(10) * (1000 // 10), reversed; linspace = round(linspace(0, 999, 10)), reversed;
  // trailing = round(arange(1000, 0, -100)) - 1.
  it.each([
    ['leading', [900, 800, 700, 600, 500, 400, 300, 200, 100, 0]],
    ['linspace', [999, 888, 777, 666, 555, 444, 333, 222, 111, 0]],
    ['trailing', [999, 899, 799, 699, 599, 499, 399, 299, 199, 99]],
  ])('%s spacing', (spacing, expected) => {
    const scheduler = new DDIMScheduler({ ...BASE, timestep_spacing: spacing });
    scheduler.setTimesteps(10);
    expect(scheduler.timesteps).toEqual(expected);
  });

  it('rounds linspace half to even like numpy (7 steps over 1000: 499.5 → 500, 166.5 → 166)', () => {
    const scheduler = new DDIMScheduler({ ...BASE, timestep_spacing: 'linspace' });
    scheduler.setTimesteps(7);
    expect(scheduler.timesteps).toEqual([999, 832, 666, 500, 333, 166, 0]);
  });

  it('adds std·noise from the generator when eta > 0 and needs the generator then', () => {
    const scheduler = new DDIMScheduler(BASE);
    scheduler.setTimesteps(10);
    const sample = dummySampleDeter();
    const t = scheduler.timesteps[3];
    const output = sample.map((v) => 0.1 * v);
    expect(() => scheduler.step(output, t, sample, undefined, 1)).toThrow(
      expect.objectContaining({ code: 'missing_generator' }),
    );
    // Two seeds differ only by std · (noise₁ − noise₂), std = eta · √variance(t, t − 1000 // 10).
    const first = scheduler.step(output, t, sample, createGenerator(1), 1).prevSample;
    const second = scheduler.step(output, t, sample, createGenerator(2), 1).prevSample;
    const [noise1, noise2] = [createGenerator(1), createGenerator(2)].map((g) => g.randn(sample.length));
    const std = Math.sqrt(scheduler.variance(t, t - 100));
    for (const i of [0, 100, 500]) expect(first[i] - second[i]).toBeCloseTo(std * (noise1[i] - noise2[i]), 5);
    expect(scheduler.step(output, t, sample, createGenerator(1), 0).prevSample).toEqual(
      scheduler.step(output, t, sample).prevSample,
    );
  });
});
