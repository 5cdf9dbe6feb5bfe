import { z } from 'zod';

/**
 * An integer option in [min, max], with one message naming the value and the range (the style of `@stipple/jobs`'
 * field rules, which that package does not export).
 */
export function integerInRange(name: string, min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const allowed = max === Number.MAX_SAFE_INTEGER ? `use an integer ${min} or more` : `use an integer ${min}–${max}`;
  return z.number().refine((value) => Number.isInteger(value) && value >= min && value <= max, {
    error: (issue) => `${name} ${String(issue.input)} is out of range; ${allowed}`,
  });
}
