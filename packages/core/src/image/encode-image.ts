import sharp from 'sharp';
import { ValidationError } from '../errors.ts';
import type { GeneratedImage, GenerationRecord } from '../pipeline/generation-record.ts';
import { stringifyRecordJson } from '../pipeline/record-json.ts';
import { formatA1111Parameters } from './a1111-parameters.ts';
import { buildExifBlock } from './exif-block.ts';
import { insertJpegExif, insertWebpExif } from './insert-exif.ts';
import { insertPngTextChunks } from './png-text-chunks.ts';

export const IMAGE_FORMATS = ['png', 'jpeg', 'webp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export const IMAGE_MEDIA_TYPES: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

export interface EncodeOptions {
  /** Default `png` (lossless). */
  format?: ImageFormat;
  /** JPEG/WebP quality, 1–100. Default 90. */
  quality?: number;
}

/**
 * The reproducibility record as embedded in a file: everything but timings, which differ run to run and would make
 * the same seed give different bytes. Non-finite config values are tagged (`parseRecordJson` reads them back).
 */
export function embeddedRecord(record: GenerationRecord, seed: number): string {
  const { timings: _timings, seeds: _seeds, ...reproducible } = record;
  return stringifyRecordJson({ ...reproducible, seed });
}

/** JSON with every non-ASCII character as a `\uXXXX` escape: the same value, in an ASCII-typed EXIF tag. */
function asciiJson(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Encodes one image with its record embedded: PNG gets AUTOMATIC1111's `parameters` text chunk plus a `stipple` chunk
 * holding the JSON record; JPEG and WebP carry the parameters in EXIF UserComment in Unicode (where AUTOMATIC1111 puts
 * them) and the JSON, ASCII-escaped, in EXIF ImageDescription.
 */
export async function encodeImage(
  image: GeneratedImage,
  record: GenerationRecord,
  options: EncodeOptions = {},
): Promise<Buffer> {
  const format = options.format ?? 'png';
  if (!IMAGE_FORMATS.includes(format)) {
    throw new ValidationError(
      'invalid_format',
      `format "${format}" is not supported; use one of ${IMAGE_FORMATS.join(', ')}`,
      {
        value: format,
        allowed: IMAGE_FORMATS,
      },
    );
  }
  const quality = options.quality ?? 90;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new ValidationError('invalid_quality', `quality ${quality} is out of range; use an integer from 1 to 100`, {
      value: quality,
      min: 1,
      max: 100,
    });
  }
  const parameters = formatA1111Parameters(record, image.seed);
  const json = embeddedRecord(record, image.seed);
  const pixels = sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (format === 'png') {
    return insertPngTextChunks(await pixels.png().toBuffer(), { parameters, stipple: json });
  }
  const exif = buildExifBlock({ imageDescription: asciiJson(json), software: 'Stipple', userComment: parameters });
  if (format === 'jpeg') return insertJpegExif(await pixels.jpeg({ quality }).toBuffer(), exif);
  return insertWebpExif(await pixels.webp({ quality }).toBuffer(), exif, image);
}
