/**
 * The EXIF block that JPEG and WebP files carry: a big-endian TIFF structure (EXIF 2.32 §4.6) with IFD0
 * (ImageDescription, Software) and the Exif IFD (ExifVersion, UserComment). Stipple writes it itself because libvips,
 * behind sharp's `withExif`, transliterates every string to ASCII ("— café ☕" became "-- cafe ?").
 */

const TIFF_HEADER_BYTES = 8;
const ENTRY_BYTES = 12;
const TYPE_ASCII = 2;
const TYPE_LONG = 4;
const TYPE_UNDEFINED = 7;

const TAG_IMAGE_DESCRIPTION = 0x010e;
const TAG_SOFTWARE = 0x0131;
const TAG_EXIF_IFD_POINTER = 0x8769;
const TAG_EXIF_VERSION = 0x9000;
const TAG_USER_COMMENT = 0x9286;

/** EXIF 2.32 Table 9: the character code that opens a UserComment in Unicode. */
export const UNICODE_CHARACTER_CODE = 'UNICODE\0';

export interface ExifText {
  /** ASCII only (an ASCII-typed tag): Stipple puts the JSON record here with non-ASCII characters escaped. */
  imageDescription: string;
  /** ASCII only. */
  software: string;
  /** Any text: stored as `UNICODE\0` and UTF-16 in the block's (big-endian) byte order. */
  userComment: string;
}

interface Entry {
  tag: number;
  type: number;
  count: number;
  value: Buffer;
}

function ascii(tag: number, text: string): Entry {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is exactly U+0000–U+007F.
  if (!/^[\u0000-\u007f]*$/.test(text)) throw new Error(`EXIF tag 0x${tag.toString(16)} takes ASCII text only`);
  const value = Buffer.from(`${text}\0`, 'latin1');
  return { tag, type: TYPE_ASCII, count: value.length, value };
}

function undefinedBytes(tag: number, value: Buffer): Entry {
  return { tag, type: TYPE_UNDEFINED, count: value.length, value };
}

function long(tag: number, value: number): Entry {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return { tag, type: TYPE_LONG, count: 1, value: bytes };
}

/**
 * UTF-16 in the TIFF's byte order after the `UNICODE\0` code, as EXIF specifies and as piexif (so AUTOMATIC1111's
 * PNG Info) reads it; characters beyond U+FFFF are surrogate pairs.
 */
function unicodeComment(text: string): Buffer {
  return Buffer.concat([Buffer.from(UNICODE_CHARACTER_CODE, 'latin1'), Buffer.from(text, 'utf16le').swap16()]);
}

/** An IFD's size: its entry count, the entries, and the offset of the next IFD. */
function ifdBytes(entryCount: number): number {
  return 2 + ENTRY_BYTES * entryCount + 4;
}

/** The IFDs one after another from offset 8, values over 4 bytes after them (each at an even offset). */
function writeTiff(ifds: readonly Entry[][]): Buffer {
  const header = Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, TIFF_HEADER_BYTES]);
  let dataOffset = TIFF_HEADER_BYTES + ifds.reduce((sum, entries) => sum + ifdBytes(entries.length), 0);
  const tables: Buffer[] = [];
  const values: Buffer[] = [];
  for (const entries of ifds) {
    const table = Buffer.alloc(ifdBytes(entries.length));
    table.writeUInt16BE(entries.length);
    for (const [i, { tag, type, count, value }] of entries.entries()) {
      const at = 2 + i * ENTRY_BYTES;
      table.writeUInt16BE(tag, at);
      table.writeUInt16BE(type, at + 2);
      table.writeUInt32BE(count, at + 4);
      if (value.length <= 4) {
        value.copy(table, at + 8);
        continue;
      }
      table.writeUInt32BE(dataOffset, at + 8);
      const padded = value.length % 2 === 0 ? value : Buffer.concat([value, Buffer.alloc(1)]);
      values.push(padded);
      dataOffset += padded.length;
    }
    tables.push(table);
  }
  return Buffer.concat([header, ...tables, ...values]);
}

/** The block as a TIFF structure ("MM…"); JPEG's APP1 prefixes `Exif\0\0`, WebP's EXIF chunk does not. */
export function buildExifBlock(text: ExifText): Buffer {
  // Entries in ascending tag order (TIFF 6.0 §2); the Exif IFD follows IFD0 and its three entries.
  const ifd0 = [
    ascii(TAG_IMAGE_DESCRIPTION, text.imageDescription),
    ascii(TAG_SOFTWARE, text.software),
    long(TAG_EXIF_IFD_POINTER, TIFF_HEADER_BYTES + ifdBytes(3)),
  ];
  const exifIfd = [
    undefinedBytes(TAG_EXIF_VERSION, Buffer.from('0232', 'latin1')),
    undefinedBytes(TAG_USER_COMMENT, unicodeComment(text.userComment)),
  ];
  return writeTiff([ifd0, exifIfd]);
}
