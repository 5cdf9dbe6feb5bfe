import { z } from 'zod';
import type { NumberRange } from './generation-limits.ts';

/** Renders a rejected value for an error message: strings quoted, long ones cut. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'nothing';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/**
 * A number in `range` ([min, max], or min and up when max is absent); with `step`, an integer multiple of it (`step: 1`
 * = any integer). One message per field, naming the value and the allowed range, so a client can fix the request
 * without reading the docs.
 */
export function boundedNumber(name: string, { min, max = Number.POSITIVE_INFINITY, step }: NumberRange) {
  const span = max === Number.POSITIVE_INFINITY ? `${min} or more` : `${min}–${max}`;
  const allowed =
    step === undefined ? `use ${span}` : step === 1 ? `use an integer ${span}` : `use ${span} in steps of ${step}`;
  return z.number().superRefine((value, context) => {
    let problem: string | undefined;
    if (!Number.isFinite(value) || value < min || value > max) problem = 'is out of range';
    else if (step !== undefined && !Number.isInteger(value)) problem = 'is not an integer';
    else if (step !== undefined && value % step !== 0) problem = `is not a multiple of ${step}`;
    if (problem) context.addIssue({ code: 'custom', input: value, message: `${name} ${value} ${problem}; ${allowed}` });
  });
}

/** A string of `min`–`max` characters. */
export function boundedString(name: string, min: number, max: number) {
  const allowed = `use ${min}–${max} characters`;
  return z
    .string()
    .min(min, { error: (issue) => `${name} is ${String(issue.input).length} characters; ${allowed}` })
    .max(max, { error: (issue) => `${name} is ${String(issue.input).length} characters; ${allowed}` });
}

/** An identifier matching `pattern`, whose allowed characters `charset` describes in words. */
export function identifier(name: string, pattern: RegExp, charset: string) {
  return z
    .string()
    .regex(pattern, { error: (issue) => `${name} ${describeValue(issue.input)} is invalid; use ${charset}` });
}
