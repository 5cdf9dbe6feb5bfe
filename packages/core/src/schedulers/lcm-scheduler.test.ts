import { describe, expect, it } from 'vitest';
import { runSchedulerCommonSuite } from '../../test-support/scheduler-common-suite.ts';
import {
  dummySampleDeter,
  expectWithin,
  meanAbs,
  runLoop,
  sumAbs,
} from '../../test-support/scheduler-test-fixtures.ts';
import { createGenerator } from '../noise/torch-generator.ts';
import { LCM_DEFAULTS, LCMScheduler } from './lcm-scheduler.ts';

// tests/schedulers/test_scheduler_lcm.py `get_scheduler_config`.
const BASE = {
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  prediction_type: 'epsilon',
};

const create = (config: Record<string, unknown> = {}) => new LCMScheduler({ ...BASE, ...config });

runSchedulerCommonSuite({
  create,
  defaults: LCM_DEFAULTS,
  variants: [
    { prediction_type: 'v_prediction' },
    { prediction_type: 'sample' },
    { clip_sample: true },
    { set_alpha_to_one: false },
    { beta_schedule: 'linear', beta_start: 0.0001, beta_end: 0.02 },
    { beta_schedule: 'squaredcos_cap_v2' },
    { num_train_timesteps: 500, original_inference_steps: 50 },
  ],
});

/** test_scheduler_lcm.py `full_loop`: from `dummy_sample_deter`, `manual_seed(seed)`, without scale_model_input. */
function fullLoop(steps: number, seed = 0): Float32Array {
  const scheduler = create();
  const generator = createGenerator(seed);
  scheduler.setTimesteps(steps);
  return runLoop(scheduler, dummySampleDeter(), { generator });
}

describe('LCMScheduler diffusers tests (test_scheduler_lcm.py)', () => {
  it('test_full_loop_onestep', () => {
    const sample = fullLoop(1);
    expectWithin(sumAbs(sample), 18.7097, 1e-3);
    expectWithin(meanAbs(sample), 0.0244, 1e-3);
  });

  it('test_full_loop_multistep', () => {
    const sample = fullLoop(10);
    expectWithin(sumAbs(sample), 197.7616, 1e-3);
    expectWithin(meanAbs(sample), 0.2575, 1e-3);
  });

  it('test_inference_steps: the last timestep of the hardcoded schedules', () => {
    for (const [last, steps] of [
      [99, 10],
      [39, 25],
      [39, 26],
      [19, 50],
    ]) {
      const scheduler = create();
      scheduler.setTimesteps(steps);
      expect(scheduler.timesteps.at(-1)).toBe(last);
    }
  });
});

describe('LCMScheduler timesteps', () => {
  // By hand: k = 1000 // 50 = 20, the distillation schedule is 999, 979, …, 19, and n steps take the entries at
  // floor(linspace(0, 50, n, endpoint=False)).
  it.each([
    [1, [999]],
    [4, [999, 759, 499, 259]],
    [10, [999, 899, 799, 699, 599, 499, 399, 299, 199, 99]],
  ])('%i steps', (steps, expected) => {
    const scheduler = create();
    scheduler.setTimesteps(steps);
    expect(scheduler.timesteps).toEqual(expected);
  });

  it('ignores timestep_spacing and steps_offset, as diffusers does', () => {
    const scheduler = create({ timestep_spacing: 'trailing', steps_offset: 1 });
    scheduler.setTimesteps(4);
    expect(scheduler.timesteps).toEqual([999, 759, 499, 259]);
  });

  it('rejects more steps than original_inference_steps', () => {
    expect(() => create().setTimesteps(51)).toThrow(expect.objectContaining({ code: 'invalid_inference_steps' }));
    expect(() => create({ original_inference_steps: 2000 }).setTimesteps(4)).toThrow(
      expect.objectContaining({ code: 'invalid_scheduler_config' }),
    );
  });

  it('returns the denoised sample on the last step without drawing noise', () => {
    const scheduler = create();
    scheduler.setTimesteps(1);
    const sample = dummySampleDeter();
    const out = scheduler.step(
      sample.map((v) => 0.1 * v),
      999,
      sample,
    );
    expect(out.prevSample).toEqual(out.predOriginalSample);
  });
});
