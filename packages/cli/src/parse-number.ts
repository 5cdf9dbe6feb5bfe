import { ValidationError } from '@stipple/core';

/** Reads a numeric flag; the engine checks ranges, this only rejects text that is not a number. */
export function parseNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) {
    throw new ValidationError(`invalid_${flag.replaceAll('-', '_')}`, `--${flag} "${value}" is not a number`, {
      flag,
      value,
    });
  }
  return parsed;
}

export function requireFlag(flag: string, value: string | undefined): string {
  if (value !== undefined && value !== '') return value;
  throw new ValidationError('missing_flag', `--${flag} is required`, { flag });
}
