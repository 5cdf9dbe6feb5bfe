import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, fromFloat16, toFloat16 } from './float16.ts';

// Expected bits from numpy: np.array(values, dtype=np.float32).astype(np.float16).view(np.uint16).
const VALUES = [
  0,
  -0,
  1,
  -2.5,
  0.1,
  65504,
  65520,
  1e-5,
  6e-8,
  2.9e-8,
  3e-8,
  1e-8,
  0.33333334,
  1234.567,
  -7e-5,
  Number.POSITIVE_INFINITY,
  1.00048828125,
  1.00146484375,
];
const NUMPY_BITS = [
  0, 32768, 15360, 49408, 11878, 31743, 31744, 168, 1, 0, 1, 0, 13653, 25811, 33942, 31744, 15360, 15362,
];

describe('float16', () => {
  it('rounds float32 to half bits exactly as numpy does (ties to even, subnormals, overflow)', () => {
    expect(Array.from(toFloat16(new Float32Array(VALUES)))).toEqual(NUMPY_BITS);
  });

  it('reads half bits back to the value they encode', () => {
    expect(Array.from(fromFloat16(new Uint16Array([15360, 49408, 1, 31743, 31744])))).toEqual([
      1,
      -2.5,
      2 ** -24,
      65504,
      Number.POSITIVE_INFINITY,
    ]);
    expect(float16BitsToFloat32(0x7e00)).toBeNaN();
  });

  it('round-trips every finite half value', () => {
    const all = new Uint16Array(0x7c00).map((_, i) => i);
    expect(toFloat16(fromFloat16(all))).toEqual(all);
  });
});
