import { describe, expect, it } from 'vitest';
import { blurMask, editSize, fitImage } from './fit-image.ts';
import type { RasterImage } from './input-image.ts';

const MAX = { width: 2048, height: 2048 };

describe('editSize', () => {
  it("keeps the image's size, rounded down to the VAE factor", () => {
    expect(editSize({ width: 100, height: 70 }, {}, 8, MAX)).toEqual({ width: 96, height: 64 });
    expect(editSize({ width: 5, height: 70 }, {}, 8, MAX)).toEqual({ width: 8, height: 64 });
  });

  it('shrinks a larger image to fit, keeping its aspect ratio', () => {
    expect(editSize({ width: 4096, height: 1024 }, {}, 8, MAX)).toEqual({ width: 2048, height: 512 });
  });

  it("derives the missing side from the image's aspect ratio", () => {
    expect(editSize({ width: 300, height: 200 }, { width: 96 }, 8, MAX)).toEqual({ width: 96, height: 64 });
    expect(editSize({ width: 300, height: 200 }, { height: 128 }, 8, MAX)).toEqual({ width: 192, height: 128 });
  });

  it('takes both sides when given', () => {
    expect(editSize({ width: 300, height: 200 }, { width: 64, height: 64 }, 8, MAX)).toEqual({ width: 64, height: 64 });
  });
});

/** A width × height RGB image whose left half is black and right half white. */
function halves(width: number, height: number): RasterImage {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = width / 2; x < width; x++) pixels.fill(255, (y * width + x) * 3, (y * width + x + 1) * 3);
  }
  return { pixels, width, height, channels: 3 };
}

describe('fitImage', () => {
  it('returns an image of the size unchanged', async () => {
    const image = halves(16, 8);
    expect(await fitImage(image, { width: 16, height: 8 })).toBe(image);
  });

  it('covers another aspect ratio and crops the centre rather than stretching', async () => {
    // 32×8 → 8×8: scaled to 32×8 (cover), the centre 8 columns kept: 4 black, then 4 white.
    const fitted = await fitImage(halves(32, 8), { width: 8, height: 8 });
    expect(fitted).toMatchObject({ width: 8, height: 8, channels: 3 });
    const row = Array.from({ length: 8 }, (_, x) => fitted.pixels[(4 * 8 + x) * 3]);
    expect(row.slice(0, 3).every((value) => value < 30)).toBe(true);
    expect(row.slice(5).every((value) => value > 225)).toBe(true);
  });

  it('resizes a one-channel mask', async () => {
    const mask: RasterImage = { pixels: new Uint8Array(16 * 16).fill(255), width: 16, height: 16, channels: 1 };
    const fitted = await fitImage(mask, { width: 8, height: 8 });
    expect(fitted.pixels.length).toBe(64);
    expect(fitted.pixels.every((value) => value === 255)).toBe(true);
  });
});

describe('blurMask', () => {
  it('softens the edge of a mask and leaves it alone at radius 0', async () => {
    const pixels = new Uint8Array(32 * 32);
    for (let y = 0; y < 32; y++) pixels.fill(255, y * 32 + 16, y * 32 + 32);
    const mask: RasterImage = { pixels, width: 32, height: 32, channels: 1 };
    expect(await blurMask(mask, 0)).toBe(mask);
    const blurred = await blurMask(mask, 4);
    expect(blurred.pixels.length).toBe(32 * 32);
    const row = Array.from(blurred.pixels.subarray(16 * 32, 17 * 32));
    expect(row[15]).toBeGreaterThan(40);
    expect(row[15]).toBeLessThan(215);
    expect(row[0]).toBeLessThan(5);
    expect(row[31]).toBeGreaterThan(250);
  });
});
