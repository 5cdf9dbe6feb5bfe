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
import {
  EULER_ANCESTRAL_DISCRETE_DEFAULTS,
  EulerAncestralDiscreteScheduler,
} from './euler-ancestral-discrete-scheduler.ts';

// tests/schedulers/test_scheduler_euler_ancestral.py `get_scheduler_config`.
const BASE = { num_train_timesteps: 1100, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' };

runSchedulerCommonSuite({
  create: (config) => new EulerAncestralDiscreteScheduler({ ...BASE, ...config }),
  defaults: EULER_ANCESTRAL_DISCRETE_DEFAULTS,
  variants: [
    { prediction_type: 'v_prediction' },
    { rescale_betas_zero_snr: true },
    { beta_schedule: 'scaled_linear' },
    { timestep_spacing: 'leading', steps_offset: 1 },
    { timestep_spacing: 'trailing' },
  ],
});

/** The test file's full loops: 10 steps from `dummy_sample_deter * init_noise_sigma`, noise from `manual_seed(0)`. */
function fullLoop(config: Record<string, unknown> = {}): Float32Array {
  const scheduler = new EulerAncestralDiscreteScheduler({ ...BASE, ...config });
  scheduler.setTimesteps(10);
  const generator = createGenerator(0);
  return runLoop(scheduler, scaled(dummySampleDeter(), scheduler.initNoiseSigma), { scaleInput: true, generator });
}

describe('EulerAncestralDiscreteScheduler diffusers full loops (test_scheduler_euler_ancestral.py)', () => {
  it('test_full_loop_no_noise (and test_full_loop_device on the CPU)', () => {
    const sample = fullLoop();
    expectWithin(sumAbs(sample), 152.3192, 1e-2);
    expectWithin(meanAbs(sample), 0.1983, 1e-3);
  });

  it('test_full_loop_with_v_prediction', () => {
    const sample = fullLoop({ prediction_type: 'v_prediction' });
    expectWithin(sumAbs(sample), 108.4439, 1e-2);
    expectWithin(meanAbs(sample), 0.1412, 1e-3);
  });

  it('test_full_loop_with_noise', () => {
    const scheduler = new EulerAncestralDiscreteScheduler(BASE);
    const tStart = 8;
    scheduler.setTimesteps(10);
    const generator = createGenerator(0);
    const initial = scaled(dummySampleDeter(), scheduler.initNoiseSigma);
    const noised = scheduler.addNoise(initial, dummyNoiseDeter(), scheduler.timesteps[tStart]);
    const sample = runLoop(scheduler, noised, { scaleInput: true, generator, start: tStart });
    expectWithin(sumAbs(sample), 56163.0508, 1e-2);
    expectWithin(meanAbs(sample), 73.129, 1e-3);
  });
});

describe('EulerAncestralDiscreteScheduler noise', () => {
  it('requires a generator, and draws one randn(n) per step', () => {
    const scheduler = new EulerAncestralDiscreteScheduler(BASE);
    scheduler.setTimesteps(2);
    const sample = dummySampleDeter();
    const t = scheduler.timesteps[0];
    expect(() => scheduler.step(sample, t, sample)).toThrow(expect.objectContaining({ code: 'missing_generator' }));
    const generator = createGenerator(3);
    scheduler.step(sample, t, sample, generator);
    const reference = createGenerator(3);
    reference.randn(sample.length);
    expect(generator.randn(4)).toEqual(reference.randn(4));
  });

  it('rejects prediction_type "sample", which diffusers does not implement for this class', () => {
    expect(() => new EulerAncestralDiscreteScheduler({ prediction_type: 'sample' })).toThrow(
      expect.objectContaining({ code: 'invalid_scheduler_config' }),
    );
  });
});
