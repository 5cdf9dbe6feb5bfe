import { describe, expect, it } from 'vitest';
import { fuzzEndpoint, RUNS_PER_ENDPOINT } from './fuzz-bodies.ts';

describe('POST /v1/jobs under fuzzing', () => {
  it('answers every invalid body with a 4xx and the error envelope, never a 5xx', { timeout: 120_000 }, async () => {
    const statuses = await fuzzEndpoint('/v1/jobs');
    // Most bodies are refused as invalid, not by the credit check: the fuzzing reached the validation.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS_PER_ENDPOINT / 2);
  });
});
