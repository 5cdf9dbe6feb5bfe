import { describe, expect, it } from 'vitest';
import { applyEmphasis } from './prompt-emphasis.ts';

describe('applyEmphasis', () => {
  it('scales each token by its weight, then restores the chunk mean', () => {
    // Three tokens of width 2; the middle one weighted 2.
    const states = Float32Array.from([1, 2, 3, 4, 5, 6]);
    applyEmphasis(states, Float32Array.from([1, 2, 1]));
    const weighted = [1, 2, 6, 8, 5, 6];
    const rescale = 21 / 6 / (28 / 6);
    states.forEach((value, i) => {
      expect(value).toBeCloseTo(weighted[i] * rescale, 6);
    });
    expect(states.reduce((sum, value) => sum + value, 0) / 6).toBeCloseTo(3.5, 6);
  });

  it('leaves a chunk with every weight 1 exactly as it was', () => {
    const states = Float32Array.from([0.1, -0.2, 0.3, 1e-8]);
    applyEmphasis(states, Float32Array.from([1, 1]));
    expect(states).toEqual(Float32Array.from([0.1, -0.2, 0.3, 1e-8]));
  });
});
