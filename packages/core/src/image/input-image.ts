import { MAX_INPUT_IMAGE_BYTES, MAX_INPUT_IMAGE_SIDE } from '@stipple/jobs';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { ValidationError } from '../errors.ts';

/** The file formats an input image may come in (sharp's format names). */
export const INPUT_IMAGE_FORMATS = ['png', 'jpeg', 'webp'] as const;

/** Decoded 8-bit pixels, row-major: interleaved RGB for an image (3 channels), luminance for a mask (1 channel). */
export interface RasterImage {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** Which input a file is: an image is read as RGB, a mask as luminance (white = repaint). */
export type InputImageField = 'image' | 'mask';

function invalidImage(field: InputImageField, detail: string): ValidationError {
  return new ValidationError('invalid_image', `${field} ${detail}; use a PNG, JPEG or WebP file`, {
    field,
    allowed: INPUT_IMAGE_FORMATS,
  });
}

/** Checks size and format before decoding: a file over the byte limit or a side over the pixel limit is refused. */
async function checkFile(bytes: Uint8Array, field: InputImageField): Promise<void> {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw invalidImage(field, 'is empty or not file bytes');
  if (bytes.length > MAX_INPUT_IMAGE_BYTES) {
    throw new ValidationError(
      'image_too_large',
      `${field} is ${bytes.length} bytes; use a file of at most ${MAX_INPUT_IMAGE_BYTES} bytes`,
      { field, value: bytes.length, max: MAX_INPUT_IMAGE_BYTES },
    );
  }
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes).metadata();
  } catch (error) {
    throw invalidImage(field, `is not a readable image (${(error as Error).message})`);
  }
  if (!(INPUT_IMAGE_FORMATS as readonly string[]).includes(metadata.format ?? '')) {
    throw invalidImage(field, `is a ${metadata.format ?? 'unknown'} file`);
  }
  const width = metadata.autoOrient?.width ?? metadata.width ?? 0;
  const height = metadata.autoOrient?.height ?? metadata.height ?? 0;
  if (width > MAX_INPUT_IMAGE_SIDE || height > MAX_INPUT_IMAGE_SIDE) {
    throw new ValidationError(
      'image_too_large',
      `${field} is ${width}×${height} pixels; use at most ${MAX_INPUT_IMAGE_SIDE} pixels on each side`,
      { field, width, height, max: MAX_INPUT_IMAGE_SIDE },
    );
  }
}

/**
 * PIL's `convert("L")` (ITU-R 601-2 luma in fixed point), which diffusers' mask processor applies: the same grey
 * levels as diffusers for the same RGB mask.
 */
function luminance(rgb: Uint8Array): Uint8Array {
  const grey = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = (rgb[i * 3] * 19595 + rgb[i * 3 + 1] * 38470 + rgb[i * 3 + 2] * 7471 + 0x8000) >> 16;
  }
  return grey;
}

/**
 * Decodes an input file to 8-bit pixels: PNG, JPEG or WebP, turned upright by its EXIF orientation, any alpha
 * flattened — an image onto white (a cut-out product photo then sits on white, as catalogues show it), a mask onto
 * black (transparent = keep; the router turns OpenAI's alpha masks into white-means-repaint before they get here).
 * A mask is then read as luminance, white = repaint. Throws `invalid_image` or `image_too_large` naming the field.
 */
export async function decodeInputImage(bytes: Uint8Array, field: InputImageField): Promise<RasterImage> {
  await checkFile(bytes, field);
  const background = field === 'image' ? '#ffffff' : '#000000';
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes)
      .rotate()
      .flatten({ background })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw invalidImage(field, `could not be decoded (${(error as Error).message})`);
  }
  const { data, info } = decoded;
  const rgb = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (field === 'image') return { pixels: rgb, width: info.width, height: info.height, channels: 3 };
  return { pixels: luminance(rgb), width: info.width, height: info.height, channels: 1 };
}
