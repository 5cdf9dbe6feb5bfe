import { decode, encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { MAX_OPENAI_MASK_SIDE, openAiMaskToWhiteRepaint } from './openai-mask.ts';

/** A 2×2 RGBA PNG: opaque red, fully transparent, half transparent, opaque black. */
const rgba = encode({
  width: 2,
  height: 2,
  channels: 4,
  depth: 8,
  data: Uint8Array.from([255, 0, 0, 255, 0, 0, 0, 0, 9, 9, 9, 128, 0, 0, 0, 255]),
});

function refusal(bytes: Uint8Array): ApiError {
  try {
    openAiMaskToWhiteRepaint(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('the mask was accepted');
}

describe('openAiMaskToWhiteRepaint', () => {
  it('turns transparent pixels white and opaque ones black, whatever their colour', () => {
    const mask = decode(openAiMaskToWhiteRepaint(rgba));
    expect({ width: mask.width, height: mask.height, channels: mask.channels, depth: mask.depth }).toEqual({
      width: 2,
      height: 2,
      channels: 1,
      depth: 8,
    });
    expect(Array.from(mask.data)).toEqual([0, 255, 127, 0]);
  });

  it('reads grey-with-alpha, 16-bit and palette PNGs with transparency', () => {
    const greyAlpha = encode({ width: 2, height: 1, channels: 2, depth: 8, data: Uint8Array.from([7, 0, 7, 255]) });
    expect(Array.from(decode(openAiMaskToWhiteRepaint(greyAlpha)).data)).toEqual([255, 0]);
    const deep = encode({
      width: 2,
      height: 1,
      channels: 4,
      depth: 16,
      data: Uint16Array.from([1, 2, 3, 0, 1, 2, 3, 65535]),
    });
    expect(Array.from(decode(openAiMaskToWhiteRepaint(deep)).data)).toEqual([255, 0]);
    const indexed = encode({
      width: 2,
      height: 1,
      channels: 1,
      depth: 8,
      data: Uint8Array.from([0, 1]),
      palette: [
        [0, 0, 0, 0],
        [10, 20, 30, 255],
      ],
    });
    expect(Array.from(decode(openAiMaskToWhiteRepaint(indexed)).data)).toEqual([255, 0]);
  });

  it('refuses a mask without alpha, one that is not a PNG, and one too large to decode here', () => {
    const rgb = encode({ width: 1, height: 1, channels: 3, depth: 8, data: Uint8Array.from([1, 2, 3]) });
    expect(refusal(rgb).message).toMatch(
      /^mask has no alpha channel; OpenAI edits repaint where the mask is transparent/,
    );
    expect(refusal(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0])).message).toMatch(/^mask is not a PNG/);
    const huge = Uint8Array.from(rgba);
    new DataView(huge.buffer).setUint32(16, MAX_OPENAI_MASK_SIDE + 8);
    expect(refusal(huge)).toMatchObject({ status: 400, code: 'invalid_image', param: 'mask' });
    expect(refusal(huge).message).toContain(`use at most ${MAX_OPENAI_MASK_SIDE} pixels a side`);
  });
});
