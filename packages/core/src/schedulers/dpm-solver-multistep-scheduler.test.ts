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
import { createScheduler } from './create-scheduler.ts';
import { DPM_SOLVER_MULTISTEP_DEFAULTS } from './dpm-solver-config.ts';
import { DPMSolverMultistepScheduler } from './dpm-solver-multistep-scheduler.ts';
import type { Scheduler } from './scheduler.ts';

// tests/schedulers/test_scheduler_dpm_multi.py `get_scheduler_config`.
const BASE = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  solver_order: 2,
  prediction_type: 'epsilon',
  thresholding: false,
  sample_max_value: 1.0,
  algorithm_type: 'dpmsolver++',
  solver_type: 'midpoint',
  lower_order_final: false,
  euler_at_final: false,
  lambda_min_clipped: -Infinity,
  variance_type: null,
  final_sigmas_type: 'sigma_min',
};

const create = (config: Record<string, unknown> = {}) => new DPMSolverMultistepScheduler({ ...BASE, ...config });

runSchedulerCommonSuite({
  create,
  defaults: DPM_SOLVER_MULTISTEP_DEFAULTS,
  variants: [
    { prediction_type: 'v_prediction' },
    { prediction_type: 'sample' },
    { use_karras_sigmas: true },
    { use_karras_sigmas: true, prediction_type: 'v_prediction', final_sigmas_type: 'zero' },
    { lower_order_final: true },
    { euler_at_final: true },
    { final_sigmas_type: 'zero' },
    { solver_order: 1 },
    { solver_order: 3 },
    { solver_type: 'heun' },
    { algorithm_type: 'dpmsolver' },
    { algorithm_type: 'dpmsolver', solver_type: 'heun', solver_order: 3 },
    { lambda_min_clipped: -5.1, beta_schedule: 'squaredcos_cap_v2' },
    { rescale_betas_zero_snr: true },
    { timestep_spacing: 'leading', steps_offset: 1 },
    { timestep_spacing: 'trailing' },
  ],
});

/** test_scheduler_dpm_multi.py `full_loop`: 10 steps from `dummy_sample_deter`, without scale_model_input. */
function fullLoop(schedulerOrConfig: Scheduler | Record<string, unknown> = {}): Float32Array {
  const scheduler = 'step' in schedulerOrConfig ? (schedulerOrConfig as Scheduler) : create(schedulerOrConfig);
  scheduler.setTimesteps(10);
  return runLoop(scheduler, dummySampleDeter(), { generator: createGenerator(0) });
}

describe('DPMSolverMultistepScheduler diffusers tests (test_scheduler_dpm_multi.py)', () => {
  it('test_full_loop_no_noise', () => {
    expectWithin(meanAbs(fullLoop()), 0.3301, 1e-3);
  });

  it('test_full_loop_with_noise', () => {
    const scheduler = create();
    scheduler.setTimesteps(10);
    const tStart = 5;
    const noised = scheduler.addNoise(dummySampleDeter(), dummyNoiseDeter(), scheduler.timesteps[tStart]);
    const sample = runLoop(scheduler, noised, { start: tStart });
    expectWithin(sumAbs(sample), 318.4111, 1e-2);
    expectWithin(meanAbs(sample), 0.4146, 1e-3);
  });

  it('test_full_loop_with_v_prediction', () => {
    expectWithin(meanAbs(fullLoop({ prediction_type: 'v_prediction' })), 0.2251, 1e-3);
  });

  it('test_full_loop_with_karras_and_v_prediction', () => {
    expectWithin(meanAbs(fullLoop({ prediction_type: 'v_prediction', use_karras_sigmas: true })), 0.2096, 1e-3);
  });

  it('test_switch (round trip through the config of the same class)', () => {
    const scheduler = create();
    expectWithin(meanAbs(fullLoop(scheduler)), 0.3301, 1e-3);
    const again = createScheduler('DPMSolverMultistepScheduler', scheduler.config);
    expectWithin(meanAbs(fullLoop(again)), 0.3301, 1e-3);
  });

  it('test_solver_order_and_type (noise-free algorithms): no NaN', () => {
    for (const algorithm_type of ['dpmsolver', 'dpmsolver++']) {
      for (const solver_type of ['midpoint', 'heun']) {
        for (const solver_order of [1, 2, 3]) {
          for (const prediction_type of ['epsilon', 'sample']) {
            const sample = fullLoop({ solver_order, solver_type, prediction_type, algorithm_type });
            expect(sample.some(Number.isNaN)).toBe(false);
          }
        }
      }
    }
  });

  it('test_duplicated_timesteps and test_inference_steps: one timestep per requested step', () => {
    for (const steps of [1, 2, 3, 5, 10, 50, 100, 999, 1000]) {
      const scheduler = create();
      scheduler.setTimesteps(steps);
      expect(scheduler.timesteps).toHaveLength(steps);
      const sample = dummySampleDeter();
      const out = scheduler.step(
        sample.map((v) => 0.1 * v),
        scheduler.timesteps[0],
        sample,
      ).prevSample;
      expect(out.every(Number.isFinite)).toBe(true);
    }
  });
});

describe('DPMSolverMultistepScheduler timesteps', () => {
  // set_timesteps by hand for 1000 training steps and 10 steps (n + 1 points, the last dropped):
  // linspace = round_half_even(linspace(0, 999, 11)) reversed; leading = arange(11) * (1000 // 11) reversed;
  // trailing = round(arange(1000, 0, -100)) - 1.
  it.each([
    ['linspace', 0, [999, 899, 799, 699, 599, 500, 400, 300, 200, 100]],
    ['leading', 1, [901, 811, 721, 631, 541, 451, 361, 271, 181, 91]],
    ['trailing', 0, [999, 899, 799, 699, 599, 499, 399, 299, 199, 99]],
  ])('%s spacing (steps_offset %i)', (spacing, steps_offset, expected) => {
    const scheduler = create({ timestep_spacing: spacing, steps_offset });
    scheduler.setTimesteps(10);
    expect(scheduler.timesteps).toEqual(expected);
  });

  it('maps deis / logrho to dpmsolver++ / midpoint and rejects unsupported variants', () => {
    const scheduler = create({ algorithm_type: 'deis', solver_type: 'logrho' });
    expect(scheduler.config.algorithm_type).toBe('dpmsolver++');
    expect(scheduler.config.solver_type).toBe('midpoint');
    for (const config of [{ algorithm_type: 'sde-dpmsolver++' }, { solver_order: 4 }]) {
      expect(() => create(config)).toThrow(expect.objectContaining({ code: 'invalid_scheduler_config' }));
    }
    for (const config of [{ thresholding: true }, { use_lu_lambdas: true }, { variance_type: 'learned_range' }]) {
      expect(() => create(config)).toThrow(expect.objectContaining({ code: 'unsupported_scheduler_config' }));
    }
    expect(() => create({ algorithm_type: 'dpmsolver', final_sigmas_type: 'zero' })).toThrow(
      expect.objectContaining({ code: 'invalid_scheduler_config' }),
    );
  });
});
