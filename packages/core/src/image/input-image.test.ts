import { MAX_INPUT_IMAGE_BYTES, MAX_INPUT_IMAGE_SIDE } from '@stipple/jobs';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { rejection } from '../../test-support/rejection.ts';
import { ValidationError } from '../errors.ts';
import { decodeInputImage } from './input-image.ts';

/** A 3×2 RGB picture: each pixel a different colour, so a rotation or flip shows. */
const PIXELS = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0, 0, 255, 255, 255, 0, 255];

function raw(pixels: number[], width: number, height: number, channels: 1 | 3 | 4) {
  return sharp(Uint8Array.from(pixels), { raw: { width, height, channels } });
}

describe('decodeInputImage', () => {
  it.each([
    ['png', (image: Sharp) => image.png()],
    ['webp', (image: Sharp) => image.webp({ lossless: true })],
  ])('decodes a lossless %s to the same RGB pixels', async (_format, encode) => {
    const file = await encode(raw(PIXELS, 3, 2, 3)).toBuffer();
    const decoded = await decodeInputImage(file, 'image');
    expect(decoded).toMatchObject({ width: 3, height: 2, channels: 3 });
    expect(Array.from(decoded.pixels)).toEqual(PIXELS);
  });

  it('decodes a JPEG', async () => {
    const file = await raw(new Array(16 * 8 * 3).fill(200), 16, 8, 3)
      .jpeg({ quality: 95 })
      .toBuffer();
    const decoded = await decodeInputImage(file, 'image');
    expect(decoded).toMatchObject({ width: 16, height: 8, channels: 3 });
    expect(Math.abs(decoded.pixels[0] - 200)).toBeLessThanOrEqual(2);
  });

  it('turns the image upright by its EXIF orientation', async () => {
    // Orientation 6: the stored pixels must be rotated 90° clockwise to display.
    const file = await raw(PIXELS, 3, 2, 3).png().withMetadata({ orientation: 6 }).toBuffer();
    const decoded = await decodeInputImage(file, 'image');
    expect([decoded.width, decoded.height]).toEqual([2, 3]);
    const upright = await raw(PIXELS, 3, 2, 3).rotate(90).raw().toBuffer();
    expect(Array.from(decoded.pixels)).toEqual(Array.from(upright));
  });

  it('flattens an image onto white and a mask onto black', async () => {
    // One opaque red pixel, one fully transparent red pixel.
    const file = await raw([255, 0, 0, 255, 255, 0, 0, 0], 2, 1, 4).png().toBuffer();
    expect(Array.from((await decodeInputImage(file, 'image')).pixels)).toEqual([255, 0, 0, 255, 255, 255]);
    const mask = await decodeInputImage(file, 'mask');
    expect(mask.channels).toBe(1);
    // PIL's convert("L") of pure red: 255 · 0.299 → 76; transparent → black.
    expect(Array.from(mask.pixels)).toEqual([76, 0]);
  });

  it('reads a mask as luminance, white = 255', async () => {
    const file = await raw([255, 255, 255, 0, 0, 0, 128, 128, 128], 3, 1, 3).png().toBuffer();
    expect(Array.from((await decodeInputImage(file, 'mask')).pixels)).toEqual([255, 0, 128]);
  });

  it('refuses bytes that are not an image, naming the field', async () => {
    const error = await rejection(decodeInputImage(new TextEncoder().encode('not an image'), 'mask'), ValidationError);
    expect(error.code).toBe('invalid_image');
    expect(error.message).toMatch(/^mask is not a readable image .*; use a PNG, JPEG or WebP file$/);
  });

  it('refuses other image formats', async () => {
    const gif = await raw(PIXELS, 3, 2, 3).gif().toBuffer();
    const error = await rejection(decodeInputImage(gif, 'image'), ValidationError);
    expect(error.code).toBe('invalid_image');
    expect(error.message).toBe('image is a gif file; use a PNG, JPEG or WebP file');
  });

  it('refuses a file over the byte limit before decoding it', async () => {
    const error = await rejection(
      decodeInputImage(new Uint8Array(MAX_INPUT_IMAGE_BYTES + 1), 'image'),
      ValidationError,
    );
    expect(error.code).toBe('image_too_large');
    expect(error.message).toBe(
      `image is ${MAX_INPUT_IMAGE_BYTES + 1} bytes; use a file of at most ${MAX_INPUT_IMAGE_BYTES} bytes`,
    );
  });

  it('refuses an image wider than the side limit', async () => {
    const wide = await sharp({
      create: { width: MAX_INPUT_IMAGE_SIDE + 1, height: 1, channels: 3, background: '#000' },
    })
      .png()
      .toBuffer();
    const error = await rejection(decodeInputImage(wide, 'image'), ValidationError);
    expect(error.code).toBe('image_too_large');
    expect(error.message).toBe(
      `image is ${MAX_INPUT_IMAGE_SIDE + 1}×1 pixels; use at most ${MAX_INPUT_IMAGE_SIDE} pixels on each side`,
    );
  });
});
