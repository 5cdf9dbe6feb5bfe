import {
  GENERATION_LIMITS,
  MAX_PROMPT_CHARACTERS,
  type NumberRange,
  OUTPUT_FORMATS,
  PREVIEW_EVERY,
  SCHEDULERS,
} from '@stipple/jobs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { imageGenerationSchema } from '../openai/image-generation-schema.ts';
import { jobRequestSchema } from './job-request-schema.ts';

interface FieldSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
}

/** The fields of a request schema as its JSON Schema (what `/openapi.json` publishes) states them. */
function fieldsOf(schema: z.ZodType): Record<string, FieldSchema> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, FieldSchema>;
  };
  return json.properties;
}

/** The engine's range of each public field, by its name on the wire. */
const ENGINE_RANGES: Record<string, NumberRange> = {
  ...Object.fromEntries(
    Object.entries(GENERATION_LIMITS).map(([name, range]) => [
      name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      range,
    ]),
  ),
  preview_every: PREVIEW_EVERY,
};

/** Problems with one public field's bounds against the engine's range: empty when it lies within. */
function widenings(field: FieldSchema, engine: NumberRange): string[] {
  const problems: string[] = [];
  if (field.minimum === undefined || field.minimum < engine.min)
    problems.push(`minimum ${field.minimum} < ${engine.min}`);
  if (engine.max !== undefined && (field.maximum === undefined || field.maximum > engine.max))
    problems.push(`maximum ${field.maximum} > ${engine.max}`);
  if (engine.step !== undefined && field.type !== 'integer') problems.push(`type ${field.type} allows fractions`);
  if (engine.step !== undefined && engine.step > 1 && (field.multipleOf ?? 1) % engine.step !== 0)
    problems.push(`multipleOf ${field.multipleOf} is not a multiple of ${engine.step}`);
  return problems;
}

describe.each([
  ['POST /v1/jobs', jobRequestSchema],
  ['POST /v1/images/generations', imageGenerationSchema],
] as const)('%s', (_, schema) => {
  const fields = fieldsOf(schema);

  it('bounds every number the engine bounds within the engine’s range (it may only narrow it)', () => {
    const checked = Object.keys(ENGINE_RANGES).filter((name) => name in fields);
    // Both APIs take these; a renamed field must not slip out of the check.
    expect(checked).toEqual(expect.arrayContaining(['steps', 'guidance', 'seed', 'n']));
    const problems = Object.fromEntries(checked.map((name) => [name, widenings(fields[name], ENGINE_RANGES[name])]));
    expect(problems).toEqual(Object.fromEntries(checked.map((name) => [name, []])));
  });

  it('keeps prompts within the engine’s length and offers only the engine’s schedulers and formats', () => {
    expect(fields.prompt.minLength).toBeGreaterThanOrEqual(1);
    for (const name of ['prompt', 'negative_prompt']) {
      expect(fields[name].maxLength).toBeLessThanOrEqual(MAX_PROMPT_CHARACTERS);
    }
    expect(SCHEDULERS).toEqual(expect.arrayContaining(fields.scheduler.enum ?? ['(no enum)']));
    expect(OUTPUT_FORMATS).toEqual(expect.arrayContaining(fields.output_format.enum ?? ['(no enum)']));
  });
});

describe('the widening check', () => {
  it('catches a bound beyond the engine’s, a fraction where it wants integers and a finer step', () => {
    const engine = { min: 8, max: 2048, step: 8 };
    expect(widenings({ type: 'integer', minimum: 64, maximum: 2048, multipleOf: 8 }, engine)).toEqual([]);
    expect(widenings({ type: 'integer', minimum: 64, maximum: 4096, multipleOf: 16 }, engine)).toEqual([
      'maximum 4096 > 2048',
    ]);
    expect(widenings({ type: 'integer', minimum: 0, maximum: 2048, multipleOf: 4 }, engine)).toEqual([
      'minimum 0 < 8',
      'multipleOf 4 is not a multiple of 8',
    ]);
    expect(widenings({ type: 'number', minimum: 1, maximum: 10 }, { min: 1, max: 1000, step: 1 })).toEqual([
      'type number allows fractions',
    ]);
  });
});
