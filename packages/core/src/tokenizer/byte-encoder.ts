/**
 * GPT-2's reversible byte ↔ unicode table (`bytes_to_unicode` in CLIP's simple_tokenizer.py and HF
 * tokenization_clip.py). BPE runs on strings, so every UTF-8 byte is shown as one printable character: bytes that are
 * already printable Latin-1 (`!`..`~`, `¡`..`¬`, `®`..`ÿ`) stand for themselves, the other 68 (controls, space, soft
 * hyphen) are moved to U+0100 and up, in byte order. Space (0x20) thus becomes `Ġ`.
 */
function buildByteToUnicode(): string[] {
  const table: string[] = new Array(256);
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) {
    const printable =
      (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    table[byte] = String.fromCharCode(printable ? byte : 256 + shifted++);
  }
  return table;
}

/** `BYTE_TO_UNICODE[b]` is the one-character string that stands for byte `b` in the BPE vocabulary. */
export const BYTE_TO_UNICODE: readonly string[] = buildByteToUnicode();

const UNICODE_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_UNICODE.map((char, byte) => [char, byte]));

const utf8 = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF, as Python's bytes.decode does.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Bytes 0x21..0x7e map to themselves, so a word made only of them needs no re-encoding (the common prompt case). */
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

/**
 * Encodes `text` as UTF-8 and maps each byte through {@link BYTE_TO_UNICODE}, as CLIP's
 * `''.join(self.byte_encoder[b] for b in token.encode('utf-8'))`. Lone surrogates become U+FFFD's bytes (the text
 * cleanup already replaces them, as ftfy's `fix_surrogates` does).
 */
export function byteEncode(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  let out = '';
  for (const byte of utf8.encode(text)) out += BYTE_TO_UNICODE[byte];
  return out;
}

/**
 * Inverse of {@link byteEncode}: maps each character back to its byte and decodes the bytes as UTF-8, replacing invalid
 * sequences with U+FFFD (CLIP's `decode(..., errors="replace")`). A character outside the table (possible only in a
 * custom special token) is kept as its own UTF-8 bytes rather than failing.
 */
export function byteDecode(text: string): string {
  const bytes: number[] = [];
  for (const char of text) {
    const byte = UNICODE_TO_BYTE.get(char);
    if (byte !== undefined) bytes.push(byte);
    else bytes.push(...utf8.encode(char));
  }
  return utf8Decoder.decode(Uint8Array.from(bytes));
}
