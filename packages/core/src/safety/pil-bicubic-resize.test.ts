import { describe, expect, it } from 'vitest';
import { resizeBicubicRgb } from './pil-bicubic-resize.ts';

function gradient(width: number, height: number): Uint8Array {
  return Uint8Array.from({ length: width * height * 3 }, (_, i) => (Math.floor(i / 3) * 7 + (i % 3) * 40) & 255);
}

describe('resizeBicubicRgb', () => {
  it('keeps a flat image flat, growing and shrinking (the weights sum to one)', () => {
    const flat = new Uint8Array(5 * 3 * 3).fill(200);
    expect(resizeBicubicRgb(flat, 5, 3, 11, 7)).toEqual(new Uint8Array(11 * 7 * 3).fill(200));
    expect(resizeBicubicRgb(flat, 5, 3, 2, 2)).toEqual(new Uint8Array(2 * 2 * 3).fill(200));
  });

  it('returns a copy at the same size', () => {
    const image = gradient(4, 3);
    const same = resizeBicubicRgb(image, 4, 3, 4, 3);
    expect(same).toEqual(image);
    expect(same).not.toBe(image);
  });

  it("clamps the cubic's overshoot at a hard edge to 0 and 255", () => {
    // black | white edge, upscaled 4x: Keys' kernel rings below 0 and above 255 next to the edge
    const edge = new Uint8Array([0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255]);
    const row = resizeBicubicRgb(edge, 4, 1, 16, 1).filter((_, i) => i % 3 === 0);
    expect(Math.min(...row)).toBe(0);
    expect(Math.max(...row)).toBe(255);
    expect(Array.from(row)).toEqual([...row].sort((a, b) => a - b));
  });
});
