import { bytesToHex } from '@stipple/jobs';

/** `bytes` random bytes from the platform's CSPRNG, as lowercase hex. */
export function randomHex(bytes: number): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(bytes)));
}
