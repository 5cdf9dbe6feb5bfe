import { SCHEDULERS, type Scheduler as SchedulerName } from '@stipple/jobs';
import { ValidationError } from '../errors.ts';
import { DDIMScheduler } from './ddim-scheduler.ts';
import { DPMSolverMultistepScheduler } from './dpm-solver-multistep-scheduler.ts';
import { EulerAncestralDiscreteScheduler } from './euler-ancestral-discrete-scheduler.ts';
import { EulerDiscreteScheduler } from './euler-discrete-scheduler.ts';
import { LCMScheduler } from './lcm-scheduler.ts';
import type { Scheduler } from './scheduler.ts';

type Config = Readonly<Record<string, unknown>>;

/** The diffusers class behind each name, and the config keys the name fixes whatever the model's config says. */
const BY_NAME: Record<SchedulerName, { className: string; overrides: Config }> = {
  euler: { className: 'EulerDiscreteScheduler', overrides: {} },
  'euler-ancestral': { className: 'EulerAncestralDiscreteScheduler', overrides: {} },
  ddim: { className: 'DDIMScheduler', overrides: {} },
  'dpmpp-2m': {
    className: 'DPMSolverMultistepScheduler',
    overrides: { algorithm_type: 'dpmsolver++', solver_order: 2, use_karras_sigmas: false },
  },
  'dpmpp-2m-karras': {
    className: 'DPMSolverMultistepScheduler',
    overrides: { algorithm_type: 'dpmsolver++', solver_order: 2, use_karras_sigmas: true },
  },
  lcm: { className: 'LCMScheduler', overrides: {} },
};

const CONSTRUCTORS: Record<string, new (config: Config) => Scheduler> = {
  EulerDiscreteScheduler,
  EulerAncestralDiscreteScheduler,
  DDIMScheduler,
  DPMSolverMultistepScheduler,
  LCMScheduler,
};

/** The diffusers class names `createScheduler` accepts besides the Stipple names. */
export const SCHEDULER_CLASS_NAMES = Object.keys(CONSTRUCTORS);

function isSchedulerName(name: string): name is SchedulerName {
  return (SCHEDULERS as readonly string[]).includes(name);
}

/**
 * The Stipple name for a diffusers scheduler class (e.g. the `_class_name` of a model's `scheduler_config.json`), or
 * `undefined` when Stipple does not implement it. Pass the config too to tell `dpmpp-2m-karras` from `dpmpp-2m`.
 */
export function schedulerNameForClass(className: string, config: Config = {}): SchedulerName | undefined {
  if (className === 'DPMSolverMultistepScheduler')
    return config.use_karras_sigmas === true ? 'dpmpp-2m-karras' : 'dpmpp-2m';
  return SCHEDULERS.find((name) => BY_NAME[name].className === className);
}

/**
 * Builds a scheduler from a Stipple name or a diffusers class name and a `scheduler_config.json` object (diffusers'
 * `Scheduler.from_config`): unknown and `_`-prefixed keys are ignored, missing keys take the class defaults. A Stipple
 * name may pin some keys (`dpmpp-2m-karras` sets `use_karras_sigmas`); a class name uses the config as is.
 */
export function createScheduler(name: string, config: Config = {}): Scheduler {
  if (isSchedulerName(name)) {
    const { className, overrides } = BY_NAME[name];
    return new CONSTRUCTORS[className]({ ...config, ...overrides });
  }
  if (Object.hasOwn(CONSTRUCTORS, name)) return new CONSTRUCTORS[name](config);
  const allowed = [...SCHEDULERS, ...SCHEDULER_CLASS_NAMES];
  throw new ValidationError(
    'unknown_scheduler',
    `unknown scheduler ${JSON.stringify(name)}; use one of ${allowed.join(', ')}`,
    { value: name, allowed },
  );
}
