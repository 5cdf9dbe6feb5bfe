import { describe, expect, it } from 'vitest';
import { runSchedulerCommonSuite } from '../../test-support/scheduler-common-suite.ts';
import {
  dummyNoiseDeter,
  dummySampleDeter,
  expectWithin,
  meanAbs,
  runLoop,
  scaled,
  sumAbs,
} from '../../test-support/scheduler-test-fixtures.ts';
import { createGenerator } from '../noise/torch-generator.ts';
import { EULER_DISCRETE_DEFAULTS, EulerDiscreteScheduler } from './euler-discrete-scheduler.ts';

// tests/schedulers/test_scheduler_euler.py `get_scheduler_config`.
const BASE = { num_train_timesteps: 1100, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' };

runSchedulerCommonSuite({
  create: (config) => new EulerDiscreteScheduler({ ...BASE, ...config }),
  defaults: EULER_DISCRETE_DEFAULTS,
  variants: [
    { prediction_type: 'v_prediction' },
    { prediction_type: 'sample' },
    { use_karras_sigmas: true },
    { timestep_type: 'continuous', prediction_type: 'v_prediction' },
    { interpolation_type: 'log_linear' },
    { final_sigmas_type: 'sigma_min' },
    { rescale_betas_zero_snr: true },
    { beta_schedule: 'scaled_linear' },
    { timestep_spacing: 'leading', steps_offset: 1 },
    { timestep_spacing: 'trailing' },
  ],
});

/** test_scheduler_euler.py `full_loop`: 10 steps from `dummy_sample_deter * init_noise_sigma`, seed 0. */
function fullLoop(config: Record<string, unknown> = {}): Float32Array {
  const scheduler = new EulerDiscreteScheduler({ ...BASE, ...config });
  scheduler.setTimesteps(10);
  const generator = createGenerator(0);
  return runLoop(scheduler, scaled(dummySampleDeter(), scheduler.initNoiseSigma), { scaleInput: true, generator });
}

describe('EulerDiscreteScheduler diffusers full loops (test_scheduler_euler.py)', () => {
  it('test_full_loop_no_noise (and test_full_loop_device on the CPU)', () => {
    const sample = fullLoop();
    expectWithin(sumAbs(sample), 10.0807, 1e-2);
    expectWithin(meanAbs(sample), 0.0131, 1e-3);
  });

  it('test_full_loop_with_v_prediction', () => {
    const sample = fullLoop({ prediction_type: 'v_prediction' });
    expectWithin(sumAbs(sample), 0.0002, 1e-2);
    expectWithin(meanAbs(sample), 2.2676e-6, 1e-3);
  });

  it('test_full_loop_device_karras_sigmas', () => {
    const sample = fullLoop({ use_karras_sigmas: true });
    expectWithin(sumAbs(sample), 124.52299499511719, 1e-2);
    expectWithin(meanAbs(sample), 0.16213932633399963, 1e-3);
  });

  it('test_full_loop_with_noise', () => {
    const scheduler = new EulerDiscreteScheduler(BASE);
    scheduler.setTimesteps(10);
    const generator = createGenerator(0);
    const tStart = 8;
    const noised = scheduler.addNoise(
      scaled(dummySampleDeter(), scheduler.initNoiseSigma),
      dummyNoiseDeter(),
      scheduler.timesteps[tStart],
    );
    const sample = runLoop(scheduler, noised, { scaleInput: true, generator, start: tStart });
    expectWithin(sumAbs(sample), 57062.9297, 1e-2);
    expectWithin(meanAbs(sample), 74.3007, 1e-3);
  });
});

describe('EulerDiscreteScheduler schedules', () => {
  it('spans the Karras schedule between the configured sigma_min and sigma_max', () => {
    const scheduler = new EulerDiscreteScheduler({ ...BASE, use_karras_sigmas: true, sigma_min: 0.02, sigma_max: 700 });
    scheduler.setTimesteps(10);
    expect(scheduler.sigmas[0]).toBe(700);
    expect(scheduler.sigmas[9]).toBe(Math.fround(0.02));
    expect(scheduler.sigmas[10]).toBe(0);
    // 700 is above the largest training sigma, so its timestep clamps to the last one, as in diffusers.
    expect(scheduler.timesteps[0]).toBe(1099);
  });
});
