import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from './hex.ts';

describe('bytesToHex', () => {
  it('writes two lowercase digits a byte, leading zeros kept, from an ArrayBuffer or a view', () => {
    expect(bytesToHex(Uint8Array.of(0, 1, 15, 16, 171, 255))).toBe('00010f10abff');
    expect(bytesToHex(Uint8Array.of(0, 1, 15, 16, 171, 255).buffer)).toBe('00010f10abff');
    expect(bytesToHex(new Uint8Array(0))).toBe('');
  });

  it("agrees with Node's hex digest", async () => {
    const data = new TextEncoder().encode('stipple');
    const digest = await crypto.subtle.digest('SHA-256', data);
    expect(bytesToHex(digest)).toBe(createHash('sha256').update(data).digest('hex'));
  });
});

describe('hexToBytes', () => {
  it('reads back what bytesToHex wrote, in either case', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, index) => index);
    expect(hexToBytes(bytesToHex(bytes))).toEqual(bytes);
    expect(hexToBytes('ABff00')).toEqual(Uint8Array.of(171, 255, 0));
  });
});
