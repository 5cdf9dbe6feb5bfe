import { ValidationError } from '../errors.ts';

/** A JPEG segment's length field counts itself and must fit 16 bits; `Exif\0\0` comes before the TIFF block. */
const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');
export const MAX_JPEG_EXIF_BYTES = 0xffff - 2 - EXIF_HEADER.length;

/**
 * Adds an EXIF block to a JPEG as an APP1 `Exif\0\0` segment (EXIF 2.32 §4.5.4), after SOI and the JFIF APP0 segment
 * when there is one, as sharp writes a JPEG without metadata.
 */
export function insertJpegExif(jpeg: Buffer, exif: Buffer): Buffer {
  if (exif.length > MAX_JPEG_EXIF_BYTES) {
    throw new ValidationError(
      'metadata_too_large',
      `the image's metadata (${exif.length} bytes of EXIF) does not fit a JPEG APP1 segment (${MAX_JPEG_EXIF_BYTES} bytes at most); use png`,
      { value: exif.length, max: MAX_JPEG_EXIF_BYTES },
    );
  }
  let at = 2; // after SOI (FF D8)
  if (jpeg[at] === 0xff && jpeg[at + 1] === 0xe0) at += 2 + jpeg.readUInt16BE(at + 2);
  const marker = Buffer.from([0xff, 0xe1, 0, 0]);
  marker.writeUInt16BE(2 + EXIF_HEADER.length + exif.length, 2);
  return Buffer.concat([jpeg.subarray(0, at), marker, EXIF_HEADER, exif, jpeg.subarray(at)]);
}

function riffChunk(fourCc: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(fourCc, 0, 'latin1');
  header.writeUInt32LE(payload.length, 4);
  return Buffer.concat([header, payload, Buffer.alloc(payload.length % 2)]);
}

const VP8X_EXIF_FLAG = 0x08;

/**
 * Adds an EXIF chunk to a WebP (Google's WebP container specification, "Extended File Format"): the file becomes
 * extended (a VP8X chunk with the EXIF flag and the canvas size first) and the EXIF chunk follows the image data.
 */
export function insertWebpExif(webp: Buffer, exif: Buffer, size: { width: number; height: number }): Buffer {
  const chunks = webp.subarray(12); // after RIFF, the file size, WEBP
  let body: Buffer;
  if (chunks.toString('latin1', 0, 4) === 'VP8X') {
    body = Buffer.from(chunks);
    body[8] |= VP8X_EXIF_FLAG;
  } else {
    const vp8x = Buffer.alloc(10);
    vp8x[0] = VP8X_EXIF_FLAG;
    vp8x.writeUIntLE(size.width - 1, 4, 3);
    vp8x.writeUIntLE(size.height - 1, 7, 3);
    body = Buffer.concat([riffChunk('VP8X', vp8x), chunks]);
  }
  const content = Buffer.concat([Buffer.from('WEBP', 'latin1'), body, riffChunk('EXIF', exif)]);
  return riffChunk('RIFF', content);
}
