import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { expect } from 'vitest';
import { rateLimiter } from '../../functions/router/src/durable-objects.ts';
import { call, newTenant } from './router-fixture.ts';

/** Bodies per endpoint: three endpoints make more than the 1000 issue 6 asks for. */
export const RUNS_PER_ENDPOINT = 350;

/** Bodies that are almost right: a valid request with one field replaced, removed or added. */
const validJob = { prompt: 'a red circle', width: 64, height: 64, steps: 20, n: 1, seed: 1, output_format: 'png' };
const anyValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.anything(), { maxKeys: 3 }),
);
const nearlyValid = fc.oneof(
  fc
    .record({
      field: fc.constantFrom(...Object.keys(validJob), 'size', 'scheduler', 'webhook', 'image', 'mask', 'strength'),
      value: anyValue,
    })
    .map(({ field, value }) => JSON.stringify({ ...validJob, [field]: value })),
  fc.constantFrom(...Object.keys(validJob)).map((field) => {
    const { [field as keyof typeof validJob]: _, ...rest } = validJob;
    return JSON.stringify(rest);
  }),
);
/** Anything at all: JSON of any shape, and text that is not JSON. */
const anyBody = fc.oneof(
  fc.json(),
  fc.string(),
  fc.anything().map((value) => JSON.stringify(value) ?? 'undefined'),
);

interface Envelope {
  error?: { message?: unknown; type?: unknown; param?: unknown; code?: unknown };
}

/**
 * Posts `RUNS_PER_ENDPOINT` fuzzed bodies to `path` and checks each answer: a 4xx with the error envelope, never a
 * 5xx. Returns how often each status came back.
 */
export async function fuzzEndpoint(path: string): Promise<Map<number, number>> {
  // No credits, so a body that happens to be valid ends in 402 rather than a job; a limit of its own so that the runs
  // are not cut short by the default 600 a minute.
  const { key, keyId } = await newTenant(0);
  await rateLimiter(env, keyId).setLimit(10_000);
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(fc.oneof(nearlyValid, anyBody), async (body) => {
      const response = await call(path, { method: 'POST', token: key, body });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const envelope = (await response.json()) as Envelope;
      if (response.status < 400) return response.status === 201; // a valid client-token request
      expect(response.status).toBeLessThan(500);
      expect(typeof envelope.error?.message).toBe('string');
      expect(typeof envelope.error?.code).toBe('string');
      expect(envelope.error).toHaveProperty('param');
    }),
    { numRuns: RUNS_PER_ENDPOINT },
  );
  return statuses;
}
