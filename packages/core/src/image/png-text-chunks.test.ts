import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { insertPngTextChunks, readPngTextChunks } from './png-text-chunks.ts';

async function tinyPng(): Promise<Buffer> {
  return sharp(Buffer.alloc(4 * 4 * 3, 200), { raw: { width: 4, height: 4, channels: 3 } })
    .png()
    .toBuffer();
}

describe('insertPngTextChunks', () => {
  it('writes Latin-1 text as tEXt and other text as iTXt, both readable back', async () => {
    const png = insertPngTextChunks(await tinyPng(), { parameters: 'a café, Steps: 4', stipple: '{"prompt":"猫"}' });
    expect(png.includes(Buffer.from('tEXtparameters'))).toBe(true);
    expect(png.includes(Buffer.from('iTXtstipple'))).toBe(true);
    expect(readPngTextChunks(png)).toEqual({ parameters: 'a café, Steps: 4', stipple: '{"prompt":"猫"}' });
  });

  it('keeps the image decodable with valid chunk CRCs', async () => {
    const png = insertPngTextChunks(await tinyPng(), { parameters: 'x' });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, data[0]]).toEqual([4, 4, 200]);
  });

  it('refuses bytes that are not a PNG', () => {
    expect(() => insertPngTextChunks(Buffer.from('GIF89a............'), { a: 'b' })).toThrow('not a PNG');
  });
});
