import { MAX_SEED } from '@stipple/jobs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { createBatchGenerator } from './batch-generator.ts';
import { createGenerator, randomSeed } from './torch-generator.ts';
import goldens from './torch-randn-goldens.json' with { type: 'json' };

// ATen's AVX2 Box–Muller uses polynomial log/sin/cos, a few float ulps away from correctly rounded ones.
const TOLERANCE = 2e-6;

function expectClose(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...expected.map((value, i) => Math.abs(value - actual[i])));
  expect(worst).toBeLessThan(TOLERANCE);
}

describe('createGenerator', () => {
  it('starts manual_seed(0) randn(16) at -1.1258, -1.1524, -0.2506, -0.4339', () => {
    const first = Array.from(createGenerator(0).randn(16).slice(0, 4), (v) => Number(v.toFixed(4)));
    expect(first).toEqual([-1.1258, -1.1524, -0.2506, -0.4339]);
  });

  for (const { seed, draws } of goldens.cases) {
    it(`reproduces torch.randn for seed ${seed}, draws of ${draws.map((d) => d.length).join(', ')}`, () => {
      const generator = createGenerator(seed);
      for (const expected of draws) expectClose(generator.randn(expected.length), expected);
    });
  }

  it('gives the same stream for the same seed and a different one for another seed', () => {
    expect(createGenerator(7).randn(64)).toEqual(createGenerator(7).randn(64));
    expect(createGenerator(7).randn(64)).not.toEqual(createGenerator(8).randn(64));
  });

  it.each([-1, 1.5, MAX_SEED + 1, Number.NaN])('rejects seed %s with a ValidationError naming the range', (seed) => {
    expect(() => createGenerator(seed)).toThrow(ValidationError);
    expect(() => createGenerator(seed)).toThrow(`use an integer from 0 to ${MAX_SEED}`);
  });

  it('draws random seeds inside the allowed range', () => {
    const seed = randomSeed();
    expect(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED).toBe(true);
  });
});

describe('createBatchGenerator', () => {
  it('gives each image the noise its own seed would give alone', () => {
    const batch = createBatchGenerator([createGenerator(1), createGenerator(2)]).randn(64);
    expect(batch.subarray(0, 32)).toEqual(createGenerator(1).randn(32));
    expect(batch.subarray(32)).toEqual(createGenerator(2).randn(32));
  });
});
