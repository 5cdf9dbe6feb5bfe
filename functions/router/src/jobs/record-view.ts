import { SCHEDULERS } from '@stipple/jobs';
import { z } from 'zod';

/** A camelCase key as the API spells its fields: `weightsHash` → `weights_hash`, `vaeDecoderMs` → `vae_decoder_ms`. */
function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * An engine record (packages/core's `GenerationRecord`, camelCase like all of the engine) as the API shows it: every
 * key snake_case, every value as it is. The scheduler's `config` is diffusers' `scheduler_config.json`, snake_case
 * already, so it reads back unchanged.
 */
export function recordView(record: unknown): unknown {
  if (Array.isArray(record)) return record.map(recordView);
  if (typeof record !== 'object' || record === null) return record;
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [snakeCase(key), recordView(value)]));
}

/** What an engine record says was used, of the values a job's `input` shows. */
const usedSchema = z.object({
  width: z.number(),
  height: z.number(),
  steps: z.number(),
  guidance: z.number(),
  // The engine runs only the schedulers @stipple/jobs names.
  scheduler: z.object({ name: z.enum(SCHEDULERS) }),
  seeds: z.array(z.number()).min(1),
});

/**
 * The values the GPU generated with, from its record: the model's guidance and scheduler where the request left them
 * out, and the first image's seed (drawn by the worker when none was given). `undefined` for a record without them.
 */
export function valuesUsed(record: unknown) {
  const parsed = usedSchema.safeParse(record);
  if (!parsed.success) return undefined;
  const { width, height, steps, guidance, scheduler, seeds } = parsed.data;
  return { width, height, steps, guidance, scheduler: scheduler.name, seed: seeds[0] };
}
