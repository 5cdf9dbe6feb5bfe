import { describe, expect, it } from 'vitest';
import { denoisingStepsRun } from './denoising-steps.ts';

describe('denoisingStepsRun', () => {
  it('runs every step without a strength, and floor(steps × strength) with one, as diffusers does', () => {
    expect(denoisingStepsRun(25, undefined)).toBe(25);
    expect(denoisingStepsRun(20, 0.5)).toBe(10);
    // Python's int(25 * 0.3) is 7: 25 × 0.3 is 7.499999999999999 in binary floating point too.
    expect(denoisingStepsRun(25, 0.3)).toBe(7);
    expect(denoisingStepsRun(50, 0.75)).toBe(37);
    expect(denoisingStepsRun(30, 1)).toBe(30);
  });

  it('runs at least one step, even at strength 0 or when steps × strength is below 1', () => {
    expect(denoisingStepsRun(20, 0)).toBe(1);
    expect(denoisingStepsRun(4, 0.2)).toBe(1);
  });
});
