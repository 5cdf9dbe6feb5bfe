import { randomHex } from '../keys/random-hex.ts';

/** An upload id: `upl_` and 128 random bits in hex, unguessable like job ids. */
export const UPLOAD_ID_PATTERN = /^upl_[0-9a-f]{32}$/;

export function newUploadId(): string {
  return `upl_${randomHex(16)}`;
}
