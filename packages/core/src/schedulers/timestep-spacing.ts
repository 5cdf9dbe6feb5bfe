import { arange, f32, linspace, roundHalfEven } from './array-math.ts';

/** Table 2 of https://huggingface.co/papers/2305.08891, as diffusers names the options. */
export const TIMESTEP_SPACINGS = ['linspace', 'leading', 'trailing'] as const;
export type TimestepSpacing = (typeof TIMESTEP_SPACINGS)[number];

/** `leading`: multiples of `trainSteps // n`, largest first, shifted by `steps_offset`. */
function leading(numerator: number, count: number, stepsOffset: number): number[] {
  const ratio = Math.floor(numerator / count);
  return Array.from({ length: count }, (_, i) => (count - 1 - i) * ratio + stepsOffset);
}

/** `trailing`: `round(arange(from, 0, -trainSteps / n)) - 1`, ending near 0 and starting at `from - 1`. */
function trailing(from: number, trainSteps: number, count: number): number[] {
  return arange(from, 0, -trainSteps / count).map((t) => roundHalfEven(t) - 1);
}

/**
 * Timesteps of the sigma-based schedulers (scheduling_euler_discrete.py and scheduling_euler_ancestral_discrete.py
 * `set_timesteps`): float32, and `linspace` is not rounded, so timesteps may be fractional.
 */
export function eulerTimesteps(spacing: TimestepSpacing, trainSteps: number, n: number, stepsOffset: number): number[] {
  switch (spacing) {
    case 'linspace':
      return linspace(0, trainSteps - 1, n)
        .reverse()
        .map(f32);
    case 'leading':
      return leading(trainSteps, n, stepsOffset);
    case 'trailing':
      return trailing(trainSteps, trainSteps, n);
  }
}

/** Integer timesteps of scheduling_ddim.py `set_timesteps` (`linspace` rounded half to even). */
export function ddimTimesteps(spacing: TimestepSpacing, trainSteps: number, n: number, stepsOffset: number): number[] {
  switch (spacing) {
    case 'linspace':
      return linspace(0, trainSteps - 1, n)
        .map(roundHalfEven)
        .reverse();
    case 'leading':
      return leading(trainSteps, n, stepsOffset);
    case 'trailing':
      return trailing(trainSteps, trainSteps, n);
  }
}

/**
 * Integer timesteps of scheduling_dpmsolver_multistep.py `set_timesteps`: `n + 1` points with the last (0) dropped,
 * counted up to `lastTimestep` (`num_train_timesteps` minus the steps cut by `lambda_min_clipped`).
 */
export function dpmSolverTimesteps(
  spacing: TimestepSpacing,
  trainSteps: number,
  lastTimestep: number,
  n: number,
  stepsOffset: number,
): number[] {
  switch (spacing) {
    case 'linspace':
      return linspace(0, lastTimestep - 1, n + 1)
        .map(roundHalfEven)
        .reverse()
        .slice(0, -1);
    case 'leading':
      return leading(lastTimestep, n + 1, stepsOffset).slice(0, -1);
    case 'trailing':
      return trailing(lastTimestep, trainSteps, n);
  }
}

/**
 * `index_for_timestep` of the sigma-based schedulers: the position of `timestep` in the schedule, taking the second
 * match when it repeats so a run started mid-schedule (image-to-image) does not skip a sigma. -1 when absent.
 */
export function indexForTimestep(timesteps: readonly number[], timestep: number): number {
  const first = timesteps.indexOf(timestep);
  if (first === -1) return -1;
  const second = timesteps.indexOf(timestep, first + 1);
  return second === -1 ? first : second;
}
