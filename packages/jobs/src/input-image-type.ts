/**
 * The image types an input may be (`image`, `mask`): what the engine decodes. The router takes these in uploads, data
 * URLs and fetched URLs; the CLI and the playground name the type of a file before uploading it.
 */
export const INPUT_IMAGE_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type InputImageContentType = (typeof INPUT_IMAGE_CONTENT_TYPES)[number];

const startsWith = (bytes: Uint8Array, offset: number, expected: readonly number[]) =>
  expected.every((byte, index) => bytes[offset + index] === byte);
const ascii = (text: string) => Array.from(text, (character) => character.charCodeAt(0));

/**
 * The image type the bytes' signature says, or undefined when they are none the engine decodes: PNG's 8-byte signature
 * (PNG spec §5.2), JPEG's SOI marker and the first marker's FF (ITU T.81 §B.1.1.3), WebP's `RIFF….WEBP` header
 * (RFC 9649 §2.4). The declared type is not trusted.
 */
export function imageTypeOf(bytes: Uint8Array): InputImageContentType | undefined {
  if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, 0, ascii('RIFF')) && startsWith(bytes, 8, ascii('WEBP'))) return 'image/webp';
  return undefined;
}
