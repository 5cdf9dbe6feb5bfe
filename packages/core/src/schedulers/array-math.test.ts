import { describe, expect, it } from 'vitest';
import { arange, interpAtIndex, linspace, roundHalfEven, torchLinspaceFloat32, weightedSum } from './array-math.ts';

describe('numpy helpers', () => {
  it('linspace pins the end point and supports endpoint=false', () => {
    expect(linspace(0, 999, 7)).toEqual([0, 166.5, 333, 499.5, 666, 832.5, 999]);
    expect(linspace(0, 50, 4, false)).toEqual([0, 12.5, 25, 37.5]);
    expect(linspace(3, 7, 1)).toEqual([3]);
  });

  it('arange sizes like numpy, including its extra element for some float steps', () => {
    expect(arange(1000, 0, -250)).toEqual([1000, 750, 500, 250]);
    // np.arange(1000, 0, -1000 / 61) has 62 elements, the last about 1e-13.
    const values = arange(1000, 0, -1000 / 61);
    expect(values).toHaveLength(62);
    expect(Math.abs(values[61])).toBeLessThan(1e-9);
  });

  it('roundHalfEven rounds ties to even like np.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 166.5, 499.5, 2.4, 2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, -0, -2, 166, 500, 2, 3,
    ]);
  });

  it('interpAtIndex is np.interp over arange(len(fp)), clamped at both ends', () => {
    const fp = [1, 2, 4, 8];
    expect([2.5, 0, 3, -1, 5, 1].map((x) => interpAtIndex(x, fp))).toEqual([6, 1, 8, 1, 8, 2]);
  });
});

describe('torch helpers', () => {
  it('torchLinspaceFloat32 pins both ends in float32', () => {
    const values = torchLinspaceFloat32(0.0001, 0.02, 1000);
    expect(values[0]).toBe(Math.fround(0.0001));
    expect(values[999]).toBe(Math.fround(0.02));
  });

  it('weightedSum rounds each product and sum to float32 in order', () => {
    const a = Float32Array.of(1, 2);
    const b = Float32Array.of(3, 4);
    expect(Array.from(weightedSum([2, a], [-1, b]))).toEqual([-1, 0]);
    const tiny = Float32Array.of(2 ** -30);
    expect(weightedSum([1, Float32Array.of(1)], [1, tiny])[0]).toBe(1);
  });
});
