import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodePreviewPng } from './encode-preview-png.ts';

describe('encodePreviewPng', () => {
  it('writes a PNG that a real decoder reads back to the same pixels', async () => {
    const width = 5;
    const height = 3;
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
    const { data, info } = await sharp(encodePreviewPng(rgb, width, height))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([width, height, 3]);
    expect(new Uint8Array(data)).toEqual(rgb);
  });

  it('refuses pixels that do not match the size', () => {
    expect(() => encodePreviewPng(new Uint8Array(10), 2, 2)).toThrow('needs 12 bytes, found 10');
  });
});
