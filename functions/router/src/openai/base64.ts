/** Bytes per `String.fromCharCode` call, well below engines' argument-count limits. */
const CHUNK_BYTES = 0x8000;

/** Standard base64 (RFC 4648 §4) of binary data, with workerd's `btoa` (no `Buffer` without nodejs_compat). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let start = 0; start < bytes.length; start += CHUNK_BYTES) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK_BYTES));
  }
  return btoa(binary);
}

/** The bytes standard base64 (RFC 4648 §4) spells, or undefined when the text is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}
