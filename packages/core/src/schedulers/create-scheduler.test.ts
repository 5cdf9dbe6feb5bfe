import { SCHEDULERS } from '@stipple/jobs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { createScheduler, SCHEDULER_CLASS_NAMES, schedulerNameForClass } from './create-scheduler.ts';

// A Stable Diffusion 1.5 scheduler_config.json (PNDMScheduler), the usual source of configs in a model folder.
const SD15_PNDM_CONFIG = {
  _class_name: 'PNDMScheduler',
  _diffusers_version: '0.6.0',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
  clip_sample: false,
};

describe('createScheduler', () => {
  it.each([
    ['euler', 'EulerDiscreteScheduler'],
    ['euler-ancestral', 'EulerAncestralDiscreteScheduler'],
    ['ddim', 'DDIMScheduler'],
    ['dpmpp-2m', 'DPMSolverMultistepScheduler'],
    ['dpmpp-2m-karras', 'DPMSolverMultistepScheduler'],
    ['lcm', 'LCMScheduler'],
  ])('builds %s as a %s with its name', (name, className) => {
    const scheduler = createScheduler(name, SD15_PNDM_CONFIG);
    expect(scheduler.className).toBe(className);
    expect(scheduler.name).toBe(name);
    expect(scheduler.config.beta_schedule).toBe('scaled_linear');
  });

  it('accepts diffusers class names and uses their config as is', () => {
    for (const className of SCHEDULER_CLASS_NAMES) {
      expect(createScheduler(className, SD15_PNDM_CONFIG).className).toBe(className);
    }
    const karras = createScheduler('DPMSolverMultistepScheduler', { use_karras_sigmas: true });
    expect(karras.name).toBe('dpmpp-2m-karras');
  });

  it('takes the target class defaults for keys the config lacks, like diffusers from_config', () => {
    const euler = createScheduler('euler', SD15_PNDM_CONFIG);
    expect(euler.config.timestep_spacing).toBe('linspace');
    expect(euler.config.steps_offset).toBe(1);
    expect(euler.config).not.toHaveProperty('skip_prk_steps');
    const ddim = createScheduler('ddim', SD15_PNDM_CONFIG);
    expect(ddim.config.timestep_spacing).toBe('leading');
    expect(ddim.config.set_alpha_to_one).toBe(false);
  });

  it('pins the DPM-Solver++ 2M settings for the Stipple names', () => {
    const config = { ...SD15_PNDM_CONFIG, algorithm_type: 'dpmsolver', solver_order: 3, use_karras_sigmas: true };
    const plain = createScheduler('dpmpp-2m', config).config;
    expect([plain.algorithm_type, plain.solver_order, plain.use_karras_sigmas]).toEqual(['dpmsolver++', 2, false]);
    expect(createScheduler('dpmpp-2m-karras', SD15_PNDM_CONFIG).config.use_karras_sigmas).toBe(true);
  });

  it('throws unknown_scheduler naming the value and the allowed names', () => {
    expect(() => createScheduler('PNDMScheduler', {})).toThrow(ValidationError);
    try {
      createScheduler('heun', {});
    } catch (error) {
      expect(error).toMatchObject({ code: 'unknown_scheduler' });
      const { message } = error as Error;
      expect(message).toContain('"heun"');
      for (const name of [...SCHEDULERS, ...SCHEDULER_CLASS_NAMES]) expect(message).toContain(name);
    }
  });

  it('throws invalid_scheduler_config for bad values', () => {
    expect(() => createScheduler('euler', { beta_schedule: 'cubic' })).toThrow(
      expect.objectContaining({ code: 'invalid_scheduler_config', message: expect.stringContaining('beta_schedule') }),
    );
    expect(() => createScheduler('ddim', { prediction_type: 'x0' })).toThrow(
      expect.objectContaining({ code: 'invalid_scheduler_config' }),
    );
    expect(() => createScheduler('euler', { timestep_spacing: 'even' })).toThrow(
      expect.objectContaining({ code: 'invalid_scheduler_config' }),
    );
  });
});

describe('schedulerNameForClass', () => {
  it('maps the implemented diffusers classes and nothing else', () => {
    expect(schedulerNameForClass('EulerDiscreteScheduler')).toBe('euler');
    expect(schedulerNameForClass('EulerAncestralDiscreteScheduler')).toBe('euler-ancestral');
    expect(schedulerNameForClass('DDIMScheduler')).toBe('ddim');
    expect(schedulerNameForClass('DPMSolverMultistepScheduler')).toBe('dpmpp-2m');
    expect(schedulerNameForClass('DPMSolverMultistepScheduler', { use_karras_sigmas: true })).toBe('dpmpp-2m-karras');
    expect(schedulerNameForClass('LCMScheduler')).toBe('lcm');
    expect(schedulerNameForClass('PNDMScheduler')).toBeUndefined();
  });
});
