import { describe, expect, it } from 'vitest';
import { toBase64 } from './base64.ts';

const bytesOf = (text: string) => new TextEncoder().encode(text);

describe('toBase64', () => {
  it('encodes the test vectors of RFC 4648 §10', () => {
    const vectors = {
      '': '',
      f: 'Zg==',
      fo: 'Zm8=',
      foo: 'Zm9v',
      foob: 'Zm9vYg==',
      fooba: 'Zm9vYmE=',
      foobar: 'Zm9vYmFy',
    };
    for (const [text, encoded] of Object.entries(vectors)) expect(toBase64(bytesOf(text))).toBe(encoded);
  });

  it('round-trips every byte value across chunk boundaries', () => {
    for (const length of [256, 0x8000, 0x8001, 100_000]) {
      const bytes = Uint8Array.from({ length }, (_, index) => (index * 151 + 7) % 256);
      expect(Uint8Array.from(atob(toBase64(bytes)), (character) => character.charCodeAt(0))).toEqual(bytes);
    }
  });
});
