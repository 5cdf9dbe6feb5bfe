import { ValidationError } from '@stipple/core';

export type Env = Readonly<Record<string, string | undefined>>;

/** A variable's trimmed value; unset and empty both mean "not given". */
export function readEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** `true` or `false`; anything else is an error with `code` naming the variable and the allowed values. */
export function readBoolean(env: Env, name: string, fallback: boolean, code: string): boolean {
  const value = readEnv(env, name);
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ValidationError(code, `${name} is "${value}"; use true or false`, {
    variable: name,
    value,
    allowed: ['true', 'false'],
  });
}

/** An integer of at least `min`. */
export function readInteger(env: Env, name: string, fallback: number, min: number, code: string): number {
  const raw = readEnv(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= min) return value;
  throw new ValidationError(code, `${name} is "${raw}"; use an integer of at least ${min}`, {
    variable: name,
    value: raw,
  });
}
