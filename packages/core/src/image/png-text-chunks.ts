import { pngChunk as chunk } from './png-chunk.ts';

const PNG_SIGNATURE_BYTES = 8;
const IHDR_CHUNK_BYTES = 8 + 13 + 4;

/**
 * A text chunk (PNG spec §11.3.4): `tEXt` when the text is Latin-1, else an uncompressed UTF-8 `iTXt` — what Pillow's
 * `PngInfo.add_text` writes, so AUTOMATIC1111-style readers find `parameters` either way.
 */
function textChunk(keyword: string, text: string): Buffer {
  const key = Buffer.from(keyword, 'latin1');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the Latin-1 range is exactly what tEXt may carry.
  if (/^[\u0000-\u00ff]*$/.test(text))
    return chunk('tEXt', Buffer.concat([key, Buffer.from([0]), Buffer.from(text, 'latin1')]));
  // keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0, UTF-8 text.
  return chunk('iTXt', Buffer.concat([key, Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]));
}

/** Inserts text chunks right after IHDR, so streaming readers meet them before the image data. */
export function insertPngTextChunks(png: Buffer, entries: Readonly<Record<string, string>>): Buffer {
  const headerEnd = PNG_SIGNATURE_BYTES + IHDR_CHUNK_BYTES;
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG: IHDR is not the first chunk');
  const chunks = Object.entries(entries).map(([keyword, text]) => textChunk(keyword, text));
  return Buffer.concat([png.subarray(0, headerEnd), ...chunks, png.subarray(headerEnd)]);
}

/** Reads every tEXt and iTXt chunk back (for tests and for `stipple info` on an image). */
export function readPngTextChunks(png: Buffer): Record<string, string> {
  const texts: Record<string, string> = {};
  let offset = PNG_SIGNATURE_BYTES;
  while (offset + 8 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    const keywordEnd = body.indexOf(0);
    if (type === 'tEXt') texts[body.toString('latin1', 0, keywordEnd)] = body.toString('latin1', keywordEnd + 1);
    if (type === 'iTXt') {
      const languageEnd = body.indexOf(0, keywordEnd + 3);
      const translatedEnd = body.indexOf(0, languageEnd + 1);
      texts[body.toString('latin1', 0, keywordEnd)] = body.toString('utf8', translatedEnd + 1);
    }
    offset += 12 + length;
  }
  return texts;
}
