import { describe, expect, it } from 'vitest';
import { imageTypeOf } from './input-image-type.ts';

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? Array.from(part, (c) => c.charCodeAt(0)) : part)));

describe('imageTypeOf', () => {
  it('names PNG, JPEG and WebP by their signatures, whatever follows', () => {
    expect(imageTypeOf(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))).toBe('image/png');
    expect(imageTypeOf(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(imageTypeOf(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('image/webp');
  });

  it('names nothing for other files, truncated signatures and RIFF files that are not WebP', () => {
    expect(imageTypeOf(bytes('GIF89a'))).toBeUndefined();
    expect(imageTypeOf(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a]))).toBeUndefined();
    expect(imageTypeOf(bytes([0xff, 0xd8]))).toBeUndefined();
    expect(imageTypeOf(bytes('RIFF', [1, 2, 3, 4], 'WAVE'))).toBeUndefined();
    expect(imageTypeOf(new Uint8Array())).toBeUndefined();
  });
});
