import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { createScheduler } from '../schedulers/create-scheduler.ts';
import { checkDistinctTimesteps } from './distinct-timesteps.ts';

/** tiny-shapes' scheduler: DPM-Solver++ with SD's `leading` spacing over 1000 training timesteps. */
const LEADING = { num_train_timesteps: 1000, timestep_spacing: 'leading', steps_offset: 1 };

describe('checkDistinctTimesteps', () => {
  it('refuses a step count whose timesteps repeat, naming the most the scheduler allows', () => {
    const scheduler = createScheduler('dpmpp-2m', LEADING);
    expect(() => checkDistinctTimesteps(scheduler, 1000)).toThrow(ValidationError);
    expect(() => checkDistinctTimesteps(scheduler, 1000)).toThrow(
      "steps 1000 is more than the dpmpp-2m scheduler can space over this model's 1000 training timesteps (it would repeat a timestep); use at most 999",
    );
  });

  it('accepts what the spacing allows, and leaves the scheduler set to it', () => {
    const scheduler = createScheduler('dpmpp-2m', LEADING);
    expect(() => checkDistinctTimesteps(scheduler, 500)).not.toThrow();
    expect(scheduler.timesteps).toHaveLength(500);
    expect(() => checkDistinctTimesteps(createScheduler('euler', LEADING), 1000)).not.toThrow();
  });
});
