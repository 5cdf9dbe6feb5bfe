import sharp from 'sharp';
import type { RasterImage } from './input-image.ts';

export interface ImageSize {
  width: number;
  height: number;
}

function roundDown(value: number, factor: number, max: number): number {
  return Math.min(max - (max % factor), Math.max(factor, Math.floor(value / factor) * factor));
}

/**
 * The generation size for an input image when the request leaves width or height out. Neither given: the image's own
 * size, shrunk (keeping its aspect ratio) to fit `max` when larger, each side rounded down to a multiple of the VAE's
 * `factor` (diffusers' `get_default_height_width` rounds down the same way). One given: the other follows the image's
 * aspect ratio, rounded down to the factor. At least one factor, at most `max` a side.
 */
export function editSize(image: ImageSize, requested: Partial<ImageSize>, factor: number, max: ImageSize): ImageSize {
  const { width, height } = requested;
  if (width !== undefined && height !== undefined) return { width, height };
  if (width !== undefined)
    return { width, height: roundDown((width * image.height) / image.width, factor, max.height) };
  if (height !== undefined)
    return { width: roundDown((height * image.width) / image.height, factor, max.width), height };
  const scale = Math.min(1, max.width / image.width, max.height / image.height);
  return {
    width: roundDown(image.width * scale, factor, max.width),
    height: roundDown(image.height * scale, factor, max.height),
  };
}

/**
 * An image (or mask) at exactly `size`: unchanged when it already is, else scaled to cover the size and centre-cropped
 * (AUTOMATIC1111's "Crop and resize", diffusers' `resize_mode="crop"`), so a different aspect ratio crops the edges
 * rather than stretching. Resampling is sharp's Lanczos 3; an image and its mask of the same size stay aligned.
 */
export async function fitImage(image: RasterImage, size: ImageSize): Promise<RasterImage> {
  if (image.width === size.width && image.height === size.height) return image;
  const { width, height, channels } = image;
  let resized = sharp(image.pixels, { raw: { width, height, channels } }).resize(size.width, size.height, {
    fit: 'cover',
    position: 'centre',
  });
  // libvips hands a one-channel raw image back as sRGB: keep one channel.
  if (channels === 1) resized = resized.extractChannel(0);
  const data = await resized.raw().toBuffer();
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), ...size, channels };
}

/**
 * A mask's edge softened by a Gaussian of standard deviation `radius` pixels, as diffusers' `VaeImageProcessor.blur`
 * (PIL's `GaussianBlur(radius)`, whose radius is the standard deviation). libvips blurs with a true Gaussian kernel
 * where PIL runs three box blurs, so grey levels along the edge may differ by a level or two. 0 leaves it as is.
 */
export async function blurMask(mask: RasterImage, radius: number): Promise<RasterImage> {
  if (radius === 0) return mask;
  const { width, height } = mask;
  const data = await sharp(mask.pixels, { raw: { width, height, channels: 1 } })
    .blur(radius)
    .extractChannel(0)
    .raw()
    .toBuffer();
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height, channels: 1 };
}
