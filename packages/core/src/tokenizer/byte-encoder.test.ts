import { describe, expect, it } from 'vitest';
import { BYTE_TO_UNICODE, byteDecode, byteEncode } from './byte-encoder.ts';

describe('byte encoder', () => {
  it('maps the 256 bytes to 256 distinct single characters, printable ones to themselves', () => {
    expect(new Set(BYTE_TO_UNICODE).size).toBe(256);
    expect(BYTE_TO_UNICODE.every((char) => char.length === 1)).toBe(true);
    expect(BYTE_TO_UNICODE[0x41]).toBe('A');
    expect(BYTE_TO_UNICODE[0xe9]).toBe('é');
    // GPT-2's table: the 68 unprintable bytes go to U+0100.. in byte order, so 0x00 → Ā and space → Ġ.
    expect(BYTE_TO_UNICODE[0x00]).toBe('Ā');
    expect(BYTE_TO_UNICODE[0x20]).toBe('Ġ');
    expect(BYTE_TO_UNICODE[0xad]).toBe('Ń');
  });

  it('encodes text as its UTF-8 bytes', () => {
    expect(byteEncode('cat')).toBe('cat');
    expect(byteEncode('é')).toBe('Ã©');
    expect(byteEncode('🐱')).toBe('ðŁĲ±');
    expect(byteEncode('a b')).toBe('aĠb');
  });

  it('round-trips any text', () => {
    for (const text of ['a photo of a cat', 'café crème', '日本語', '🐱🚀 x', '\ufeffbom', '\x00\x7f\x85']) {
      expect(byteDecode(byteEncode(text))).toBe(text);
    }
  });

  it('replaces invalid UTF-8 with U+FFFD when decoding', () => {
    expect(byteDecode(BYTE_TO_UNICODE[0xff])).toBe('\ufffd');
  });
});
