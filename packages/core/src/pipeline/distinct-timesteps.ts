import { ValidationError } from '../errors.ts';
import type { Scheduler } from '../schedulers/scheduler.ts';

function distinct(scheduler: Scheduler, steps: number): boolean {
  scheduler.setTimesteps(steps);
  return new Set(scheduler.timesteps).size === scheduler.timesteps.length;
}

/**
 * Refuses a step count the scheduler cannot space over the model's training timesteps. With more steps than its
 * spacing allows (DPM-Solver's `leading` spacing over 1000 timesteps, say, at 1000 steps) diffusers' formulas repeat a
 * timestep, a step of length zero divides by zero, and the latents turn to NaN. The error names the most it allows.
 */
export function checkDistinctTimesteps(scheduler: Scheduler, steps: number): void {
  if (distinct(scheduler, steps)) return;
  let [most, tooMany] = [0, steps];
  while (tooMany - most > 1) {
    const middle = Math.floor((most + tooMany) / 2);
    if (distinct(scheduler, middle)) most = middle;
    else tooMany = middle;
  }
  throw new ValidationError(
    'invalid_steps',
    `steps ${steps} is more than the ${scheduler.name} scheduler can space over this model's ${scheduler.config.num_train_timesteps} training timesteps (it would repeat a timestep); use at most ${most}`,
    { field: 'steps', value: steps, max: most },
  );
}
