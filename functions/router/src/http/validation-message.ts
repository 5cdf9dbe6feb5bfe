import { describeValue } from '@stipple/jobs';
import { z } from 'zod';
import { unknownFieldHint } from './unknown-field-hint.ts';

/** A kind of value in words, by zod's name for the type (what was expected) or `typeof` (what was sent). */
const KIND: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
};

/** zod's own wording ("Invalid input: expected …", "Too big: …"); a schema's own message is kept as it is. */
const ZOD_DEFAULT_MESSAGE =
  /^(Invalid (input|option|number|string|element|key|value)|Too (big|small)|Unrecognized key)/;

/** The schema inside optional, default and nullable wrappers, and the one that validates in a pipe (preprocess). */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType };
    const validating = def.in?._zod.def.type === 'transform' ? def.out : def.in;
    const inner = def.innerType ?? validating;
    if (!inner) return current;
    current = inner;
  }
}

/** The field's own schema at `path`, through objects, arrays, optional and default wrappers. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (current instanceof z.ZodObject) current = current.shape[String(key)] as z.ZodType | undefined;
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else return undefined;
    if (current) current = unwrap(current);
  }
  return current;
}

/** What a number or text field allows, e.g. "an integer 1–150", "64–2048 in steps of 8", "1–8000 characters". */
function allowed(field: z.ZodType | undefined, issue: { minimum?: unknown; maximum?: unknown }): string {
  const bounds = (field ?? {}) as { minValue?: number | null; maxValue?: number | null; isInt?: boolean };
  const text = field instanceof z.ZodString;
  const lengths = field as { minLength?: number | null; maxLength?: number | null } | undefined;
  const usable = (value: unknown): value is number =>
    typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < Number.MAX_SAFE_INTEGER;
  const min = [text ? lengths?.minLength : bounds.minValue, issue.minimum].find(usable);
  const max = [text ? lengths?.maxLength : bounds.maxValue, issue.maximum].find(usable);
  const span =
    min !== undefined && max !== undefined ? `${min}–${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
  if (text) return `${span} characters`;
  const step = field?._zod.def.checks
    ?.map((check) => check._zod.def as { check: string; value?: number })
    .find((check) => check.check === 'multiple_of')?.value;
  if (step !== undefined) return `${span} in steps of ${step}`;
  return bounds.isInt ? `an integer ${span}` : span;
}

/** The message for one issue, in the words of field-rules.ts: the field, the value sent, what to send. */
function reword(issue: z.core.$ZodIssue, name: string, field: z.ZodType | undefined, known: string[]): string {
  const input = (issue as { input?: unknown }).input;
  const sent = describeValue(input);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = KIND[issue.expected] ?? issue.expected;
      const range = field && 'minValue' in field ? ` ${allowed(field, {})}` : '';
      if (input === undefined) return `${name} is required; send ${expected}${range}`;
      if (issue.expected === 'int' && typeof input === 'number')
        return `${name} ${sent} is not an integer; use${range || ' an integer'}`;
      const kind = input === null ? 'null' : Array.isArray(input) ? 'an array' : (KIND[typeof input] ?? typeof input);
      return `${name} ${sent} is ${kind}; send ${expected}${range}`;
    }
    case 'too_big':
    case 'too_small':
      if (issue.origin === 'string')
        return `${name} is ${String(input).length} characters; use ${allowed(field, issue)}`;
      if (issue.origin === 'array') {
        return `${name} has ${(input as unknown[]).length} items; use ${allowed(field, issue).replace(/^an integer /, '')}`;
      }
      return `${name} ${sent} is out of range; use ${allowed(field, issue)}`;
    case 'not_multiple_of':
      return `${name} ${sent} is not a multiple of ${issue.divisor}; use ${allowed(field, {})}`;
    case 'invalid_value': {
      const values = issue.values.map(String).join(', ');
      return input === undefined
        ? `${name} is required; use one of ${values}`
        : `${name} ${sent} is not one of ${values}`;
    }
    case 'invalid_format':
      return `${name} ${sent} is not a valid ${issue.format}`;
    case 'unrecognized_keys': {
      const [first, ...others] = issue.keys;
      const also = others.length > 0 ? ` (also unknown: ${others.join(', ')})` : '';
      return `unknown field ${first}${also}${unknownFieldHint(first, known) || `; the fields are ${known.join(', ')}`}`;
    }
    default:
      return issue.message;
  }
}

/**
 * A validation problem in the API's own words, naming the field, the value sent and what is allowed
 * ("steps 200 is out of range; use an integer 1–150"), with `param` the field at fault. `schema` is the whole
 * request's: the field's bounds, and the fields an unknown one may have meant, come from it. The one place zod's
 * issues become messages.
 */
export function validationMessage(
  schema: z.ZodType,
  issue: z.core.$ZodIssue,
): { param: string | null; message: string } {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  const param = path.map(String).join('.') || null;
  const parent = schemaAt(schema, issue.path);
  const known = parent instanceof z.ZodObject ? Object.keys(parent.shape) : [];
  const name = param ?? 'the body';
  if (ZOD_DEFAULT_MESSAGE.test(issue.message)) {
    return { param, message: reword(issue, name, schemaAt(schema, issue.path), known) };
  }
  // A schema's own message, prefixed by the field when it does not name it already.
  const field = param?.split('.').at(-1);
  const named = field !== undefined && issue.message.startsWith(`${field} `);
  return { param, message: param && !named ? `${param}: ${issue.message}` : issue.message };
}
