import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.ts';
import { createGenerator } from '../src/noise/torch-generator.ts';
import { type BetaScheduleConfig, computeBetas } from '../src/schedulers/beta-schedule.ts';
import type { Scheduler } from '../src/schedulers/scheduler.ts';
import { dummyNoiseDeter, dummySampleDeter, NUM_ELEMENTS, runLoop, scaled } from './scheduler-test-fixtures.ts';

type Config = Record<string, unknown>;

export interface CommonSuiteOptions {
  /** Builds the scheduler over the test's base config (diffusers `get_scheduler_config`) plus `config`. */
  create: (config?: Config) => Scheduler;
  /** The class defaults (diffusers `__init__`). */
  defaults: Readonly<object>;
  /** Extra configs the behavioural checks also run on. */
  variants?: Config[];
  /** Step counts to check timesteps on; default 1, 2, 10, 25, 50. */
  stepCounts?: number[];
}

/** One full loop from `dummy_sample_deter * init_noise_sigma`, seed 0, as a pipeline would run it. */
function loop(scheduler: Scheduler, steps: number): Float32Array {
  scheduler.setTimesteps(steps);
  const initial = scaled(dummySampleDeter(), scheduler.initNoiseSigma);
  return runLoop(scheduler, initial, { scaleInput: true, generator: createGenerator(0) });
}

/**
 * The checks diffusers' tests/schedulers/test_schedulers.py `SchedulerCommonTest` runs on every scheduler, adapted to
 * Stipple's interface: config defaults, timesteps, output shapes, determinism, input immutability, validation.
 */
export function runSchedulerCommonSuite({ create, defaults, variants = [], stepCounts }: CommonSuiteOptions): void {
  const className = create().className;
  const configs: Config[] = [{}, ...variants];

  describe(`${className} (common scheduler suite)`, () => {
    it('fills every missing key with the diffusers default and ignores unknown and private keys', () => {
      const scheduler = create({ _class_name: className, _diffusers_version: '0.30.0', not_a_key: 1 });
      expect(Object.keys(scheduler.config).sort()).toEqual(Object.keys(defaults).sort());
      expect(scheduler.config).not.toHaveProperty('not_a_key');
    });

    it('keeps the values it is given and drops those listed in _use_default_values', () => {
      const scheduler = create({ num_train_timesteps: 900, beta_end: 0.015, _use_default_values: ['beta_end'] });
      expect(scheduler.config.num_train_timesteps).toBe(900);
      expect(scheduler.config.beta_end).toBe((defaults as Config).beta_end);
    });

    it.each(configs)('gives n non-increasing timesteps inside the training range (%o)', (config) => {
      for (const steps of stepCounts ?? [1, 2, 10, 25, 50]) {
        const scheduler = create(config);
        scheduler.setTimesteps(steps);
        const { timesteps } = scheduler;
        expect(timesteps).toHaveLength(steps);
        if (config.timestep_type === 'continuous') continue;
        for (let i = 1; i < timesteps.length; i++) expect(timesteps[i]).toBeLessThanOrEqual(timesteps[i - 1]);
        expect(Math.min(...timesteps)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...timesteps)).toBeLessThan(scheduler.config.num_train_timesteps as number);
      }
    });

    it.each(configs)('keeps the sample shape through scaleModelInput, step and addNoise (%o)', (config) => {
      const scheduler = create(config);
      scheduler.setTimesteps(10);
      const sample = dummySampleDeter();
      const [t0, t1] = scheduler.timesteps;
      for (const t of [t0, t1]) {
        const input = scheduler.scaleModelInput(sample, t);
        expect(input).toHaveLength(NUM_ELEMENTS);
        const out = scheduler.step(
          input.map((v) => 0.1 * v),
          t,
          sample,
          createGenerator(0),
        );
        expect(out.prevSample).toHaveLength(NUM_ELEMENTS);
        expect(out.predOriginalSample).toHaveLength(NUM_ELEMENTS);
        expect(out.prevSample.every(Number.isFinite)).toBe(true);
      }
      const fresh = create(config);
      fresh.setTimesteps(10);
      expect(fresh.addNoise?.(sample, dummyNoiseDeter(), t1)).toHaveLength(NUM_ELEMENTS);
    });

    it.each(configs)('is deterministic and leaves its inputs untouched (%o)', (config) => {
      const first = loop(create(config), 10);
      expect(first.every(Number.isFinite)).toBe(true);
      expect(loop(create(config), 10)).toEqual(first);
      const scheduler = create(config);
      loop(scheduler, 4);
      expect(loop(scheduler, 10)).toEqual(first);

      scheduler.setTimesteps(10);
      const sample = dummySampleDeter();
      const output = sample.map((v) => 0.5 * v);
      scheduler.step(output, scheduler.timesteps[0], sample, createGenerator(0));
      expect(sample).toEqual(dummySampleDeter());
      expect(output).toEqual(dummySampleDeter().map((v) => 0.5 * v));
    });

    it('gives the same results when its betas are passed as trained_betas', () => {
      const reference = create();
      const betas = Array.from(computeBetas({ ...(defaults as BetaScheduleConfig), ...reference.config }));
      const trained = create({ trained_betas: betas });
      expect(trained.config.trained_betas).toEqual(betas);
      expect(loop(trained, 10)).toEqual(loop(reference, 10));
    });

    it('rejects step counts outside 1..num_train_timesteps', () => {
      const scheduler = create();
      const max = scheduler.config.num_train_timesteps as number;
      for (const steps of [0, -1, 2.5, max + 1]) {
        expect(() => scheduler.setTimesteps(steps)).toThrow(ValidationError);
      }
    });

    it('rejects an unknown beta_schedule or prediction_type with invalid_scheduler_config', () => {
      for (const config of [{ beta_schedule: 'cubic' }, { prediction_type: 'noise' }, { num_train_timesteps: 0 }]) {
        expect(() => create(config)).toThrow(expect.objectContaining({ code: 'invalid_scheduler_config' }));
      }
    });
  });
}
