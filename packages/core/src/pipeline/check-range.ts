import type { NumberRange } from '@stipple/jobs';
import { ValidationError } from '../errors.ts';

/** A value in `range`, checked with the engine's own error (`invalid_<field>`) naming the value and the range. */
export function checkRange(field: string, value: number, { min, max, step }: NumberRange & { max: number }): number {
  const integer = step === 1;
  const ok = Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (ok) return value;
  const kind = integer ? 'an integer' : 'a number';
  throw new ValidationError(
    `invalid_${field}`,
    `${field} ${value} is out of range; use ${kind} from ${min} to ${max}`,
    {
      field,
      value,
      min,
      max,
    },
  );
}
