import { imageTypeOf } from '@stipple/jobs';
import { convertIndexedToRgb, decode, encode } from 'fast-png';
import { ApiError } from '../errors/api-error.ts';

/**
 * The largest side of a mask the router converts, pixels: decoding holds 4 bytes a pixel in the isolate's 128 MB, so
 * 2048² (16 MiB) and no more; DALL·E 2's edits take at most 1024².
 */
export const MAX_OPENAI_MASK_SIDE = 2048;

const invalidMask = (message: string) => new ApiError(400, 'invalid_image', message, { param: 'mask' });

/** Width and height from the IHDR chunk (PNG spec §11.2.2), read before decoding anything. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return bytes.length < 24 ? { width: 0, height: 0 } : { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Each pixel's opacity, 0–255, or undefined when the PNG has no alpha channel. */
function alphaOf(png: ReturnType<typeof decode>): Uint8Array | undefined {
  const pixels = png.width * png.height;
  const indexed = png.palette !== undefined;
  const data = indexed ? convertIndexedToRgb(png) : png.data;
  const channels = indexed ? (png.palette?.[0]?.length ?? 3) : png.channels;
  if (channels !== 2 && channels !== 4) return undefined;
  // 16-bit samples keep their high byte (PNG spec §13.12: scaling by 255/65535 rounds to the same within one step).
  const shift = !indexed && png.depth === 16 ? 8 : 0;
  const alpha = new Uint8Array(pixels);
  for (let pixel = 0; pixel < pixels; pixel++) alpha[pixel] = data[pixel * channels + channels - 1] >> shift;
  return alpha;
}

/**
 * OpenAI's edit mask (a PNG whose fully transparent pixels are to be repainted) as the mask the engine reads (luminance,
 * white = repaint): each pixel's grey is 255 − its alpha, so transparent becomes white, opaque black, and partial
 * transparency a partial repaint. An 8-bit greyscale PNG of the same size.
 */
export function openAiMaskToWhiteRepaint(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (imageTypeOf(bytes) !== 'image/png') {
    throw invalidMask('mask is not a PNG; OpenAI edits take a PNG mask whose transparent pixels are repainted');
  }
  const { width, height } = pngSize(bytes);
  if (width > MAX_OPENAI_MASK_SIDE || height > MAX_OPENAI_MASK_SIDE) {
    throw invalidMask(
      `mask is ${width}×${height}; use at most ${MAX_OPENAI_MASK_SIDE} pixels a side here, or POST /v1/jobs with an uploaded white-on-black mask`,
    );
  }
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (error) {
    throw invalidMask(`mask is not a readable PNG (${(error as Error).message})`);
  }
  const alpha = alphaOf(png);
  if (alpha === undefined) {
    throw invalidMask(
      'mask has no alpha channel; OpenAI edits repaint where the mask is transparent: send an RGBA PNG, or POST /v1/jobs with a white-on-black mask',
    );
  }
  const grey = alpha.map((opacity) => 255 - opacity);
  return encode({ width: png.width, height: png.height, data: grey, channels: 1, depth: 8 }) as Uint8Array<ArrayBuffer>;
}
