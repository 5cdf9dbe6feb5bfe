import { describe, expect, it } from 'vitest';
import { denoisingSteps } from './denoising-steps.ts';

describe('denoisingSteps', () => {
  it('runs every step without a strength (text-to-image)', () => {
    expect(denoisingSteps(25, undefined)).toBe(25);
  });

  it.each([
    [50, 0.8, 40],
    [25, 0.75, 18],
    [10, 1, 10],
    [10, 0.35, 3],
    [4, 0.3, 1],
    [10, 0.01, 1],
    [10, 0, 1],
  ])('runs the last floor(steps × strength) of %i steps at strength %f, at least one: %i', (steps, strength, run) => {
    expect(denoisingSteps(steps, strength)).toBe(run);
  });
});
