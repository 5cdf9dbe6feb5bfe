import { ValidationError } from '../errors.ts';

/**
 * Merges a `scheduler_config.json` object over a class's `__init__` defaults the way diffusers'
 * `ConfigMixin.extract_init_dict` does: keys listed in `_use_default_values` and keys starting with `_` are dropped,
 * keys the class does not know are ignored, and missing keys keep the class default. A JSON `null` also keeps the
 * default (diffusers would pass `None` on, which only the optional keys accept).
 */
export function resolveConfig<T extends object>(defaults: T, given: Readonly<Record<string, unknown>>): T {
  const usedDefaults = Array.isArray(given._use_default_values) ? new Set(given._use_default_values) : new Set();
  const resolved: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(given)) {
    if (key.startsWith('_') || usedDefaults.has(key) || !Object.hasOwn(defaults, key)) continue;
    if (value === null || value === undefined) continue;
    resolved[key] = value;
  }
  return resolved as T;
}

/** Type-checks resolved config values, throwing a `ValidationError` that names the class, the key and the value. */
export class ConfigReader {
  constructor(
    private readonly className: string,
    private readonly config: Readonly<Record<string, unknown>>,
  ) {}

  number(key: string, { min = -Infinity, integer = false }: { min?: number; integer?: boolean } = {}): number {
    const value = this.config[key];
    const ok =
      typeof value === 'number' && !Number.isNaN(value) && value >= min && (!integer || Number.isInteger(value));
    if (!ok) {
      const what = integer ? 'an integer' : 'a number';
      this.fail(key, value, `${what}${min > -Infinity ? ` ≥ ${min}` : ''}`);
    }
    return value as number;
  }

  optionalNumber(key: string): number | null {
    return this.config[key] === null ? null : this.number(key, { min: 0 });
  }

  boolean(key: string): boolean {
    const value = this.config[key];
    if (typeof value !== 'boolean') this.fail(key, value, 'true or false');
    return value as boolean;
  }

  oneOf<T extends string | number>(key: string, allowed: readonly T[]): T {
    const value = this.config[key];
    if (!allowed.includes(value as T)) this.fail(key, value, `one of ${allowed.join(', ')}`);
    return value as T;
  }

  numberList(key: string): number[] | null {
    const value = this.config[key];
    if (value === null) return null;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      this.fail(key, value, 'a list of numbers');
    }
    return value as number[];
  }

  /** Rejects a value diffusers accepts but Stipple does not implement, rather than silently sampling differently. */
  unsupported(key: string, defaultValue: unknown): void {
    const value = this.config[key];
    if (value !== defaultValue) {
      throw new ValidationError(
        'unsupported_scheduler_config',
        `${this.className}: ${key} = ${JSON.stringify(value)} is not supported by Stipple; only ${JSON.stringify(defaultValue)} is`,
        { scheduler: this.className, key, value },
      );
    }
  }

  private fail(key: string, value: unknown, expected: string): never {
    throw new ValidationError(
      'invalid_scheduler_config',
      `${this.className}: ${key} must be ${expected}, got ${JSON.stringify(value)}`,
      { scheduler: this.className, key, value },
    );
  }
}

/** Checks a requested step count the way diffusers' `set_timesteps` does, plus the lower bound diffusers leaves out. */
export function validateInferenceSteps(className: string, numInferenceSteps: number, max: number): void {
  if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1 || numInferenceSteps > max) {
    throw new ValidationError(
      'invalid_inference_steps',
      `${className}: numInferenceSteps must be an integer from 1 to ${max}, got ${numInferenceSteps}`,
      { scheduler: className, value: numInferenceSteps, min: 1, max },
    );
  }
}

/** Thrown by `step` when the timestep is not in `timesteps` (diffusers fails with an IndexError there). */
export function unknownTimestep(className: string, timestep: number): ValidationError {
  return new ValidationError('unknown_timestep', `${className}: timestep ${timestep} is not in the current schedule`, {
    scheduler: className,
    value: timestep,
  });
}

/** Thrown when `step` is called before `setTimesteps`, as diffusers does. */
export function timestepsNotSet(className: string): ValidationError {
  return new ValidationError('timesteps_not_set', `${className}: call setTimesteps before step`, {
    scheduler: className,
  });
}

/**
 * Thrown by `step` once every timestep has been used (diffusers fails with an IndexError there; it happens when a
 * schedule starts with a repeated timestep, which diffusers resolves to the second occurrence).
 */
export function scheduleExhausted(className: string): ValidationError {
  return new ValidationError('schedule_exhausted', `${className}: step called after the last timestep`, {
    scheduler: className,
  });
}
