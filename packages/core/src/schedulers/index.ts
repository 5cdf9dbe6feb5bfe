export {
  createScheduler,
  SCHEDULER_CLASS_NAMES,
  schedulerNameForClass,
} from './create-scheduler.ts';
export { DDIM_DEFAULTS, type DDIMConfig, DDIMScheduler } from './ddim-scheduler.ts';
export { DPM_SOLVER_MULTISTEP_DEFAULTS, type DpmSolverMultistepConfig } from './dpm-solver-config.ts';
export { DPMSolverMultistepScheduler } from './dpm-solver-multistep-scheduler.ts';
export {
  EULER_ANCESTRAL_DISCRETE_DEFAULTS,
  type EulerAncestralDiscreteConfig,
  EulerAncestralDiscreteScheduler,
} from './euler-ancestral-discrete-scheduler.ts';
export {
  EULER_DISCRETE_DEFAULTS,
  type EulerDiscreteConfig,
  EulerDiscreteScheduler,
} from './euler-discrete-scheduler.ts';
export { LCM_DEFAULTS, type LCMConfig, LCMScheduler } from './lcm-scheduler.ts';
export type { Scheduler, SchedulerStepResult } from './scheduler.ts';
