import { ModelError } from '../errors.ts';
import { resizeBicubicRgb } from './pil-bicubic-resize.ts';

/** transformers' `OPENAI_CLIP_MEAN` / `OPENAI_CLIP_STD`, `CLIPImageProcessor`'s defaults. */
const OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711];
/** `PILImageResampling.BICUBIC`, the only filter implemented (every CLIP checkpoint ships it). */
const PIL_BICUBIC = 3;

interface Size {
  height: number;
  width: number;
}

/**
 * What `feature_extractor/preprocessor_config.json` asks of a `CLIPImageProcessor` (or the older
 * `CLIPFeatureExtractor`): resize (shortest edge to a length, or to an exact size), centre crop, rescale, normalize.
 * Keys left out take `CLIPImageProcessor`'s defaults; a step turned off is `undefined`.
 */
export interface ClipImageProcessorConfig {
  resize: { shortestEdge: number } | Size | undefined;
  crop: Size | undefined;
  rescaleFactor: number | undefined;
  normalize: { mean: readonly number[]; std: readonly number[] } | undefined;
}

function invalid(file: string, key: string, value: unknown, expected: string): ModelError {
  return new ModelError('model_config_invalid', `${file} has ${key} ${JSON.stringify(value)}; expected ${expected}`, {
    file,
    key,
    value,
    expected,
  });
}

function positiveInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

function threeNumbers(file: string, key: string, value: unknown, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  const list = typeof value === 'number' ? [value, value, value] : value;
  if (Array.isArray(list) && list.length === 3 && list.every((item) => typeof item === 'number')) return list;
  throw invalid(file, key, value, 'a number or a list of 3 numbers (one per RGB channel)');
}

/** transformers' `get_size_dict`: an int `size` is the shortest edge, an int `crop_size` a square. */
function readResize(file: string, json: Record<string, unknown>): ClipImageProcessorConfig['resize'] {
  if (json.do_resize === false) return undefined;
  const resample = json.resample ?? PIL_BICUBIC;
  if (resample !== PIL_BICUBIC) {
    throw invalid(file, 'resample', resample, `${PIL_BICUBIC} (bicubic; the engine implements no other filter)`);
  }
  const size = json.size ?? { shortest_edge: 224 };
  if (positiveInteger(size)) return { shortestEdge: size };
  const fields = size as Record<string, unknown>;
  if (positiveInteger(fields?.shortest_edge) && fields.longest_edge === undefined) {
    return { shortestEdge: fields.shortest_edge };
  }
  if (positiveInteger(fields?.height) && positiveInteger(fields.width)) {
    return { height: fields.height, width: fields.width };
  }
  throw invalid(file, 'size', size, 'an integer, {"shortest_edge": n} or {"height": h, "width": w}');
}

function readCrop(file: string, json: Record<string, unknown>): Size | undefined {
  if (json.do_center_crop === false) return undefined;
  const crop = json.crop_size ?? { height: 224, width: 224 };
  if (positiveInteger(crop)) return { height: crop, width: crop };
  const fields = crop as Record<string, unknown>;
  if (positiveInteger(fields?.height) && positiveInteger(fields.width)) {
    return { height: fields.height, width: fields.width };
  }
  throw invalid(file, 'crop_size', crop, 'an integer or {"height": h, "width": w}');
}

/** Reads a `preprocessor_config.json` (already parsed), naming `file` in any error. */
export function readClipImageProcessorConfig(file: string, json: Record<string, unknown>): ClipImageProcessorConfig {
  const rescaleFactor = json.rescale_factor ?? 1 / 255;
  if (typeof rescaleFactor !== 'number' || !(rescaleFactor > 0)) {
    throw invalid(file, 'rescale_factor', rescaleFactor, 'a positive number');
  }
  return {
    resize: readResize(file, json),
    crop: readCrop(file, json),
    rescaleFactor: json.do_rescale === false ? undefined : rescaleFactor,
    normalize:
      json.do_normalize === false
        ? undefined
        : {
            mean: threeNumbers(file, 'image_mean', json.image_mean, OPENAI_CLIP_MEAN),
            std: threeNumbers(file, 'image_std', json.image_std, OPENAI_CLIP_STD),
          },
  };
}

/** transformers' `get_resize_output_image_size(…, default_to_square=False)`: the long edge is truncated. */
function resizedSize(resize: NonNullable<ClipImageProcessorConfig['resize']>, width: number, height: number): Size {
  if (!('shortestEdge' in resize)) return resize;
  const short = Math.min(width, height);
  const long = Math.trunc((resize.shortestEdge * Math.max(width, height)) / short);
  return width <= height ? { width: resize.shortestEdge, height: long } : { width: long, height: resize.shortestEdge };
}

/**
 * transformers' `center_crop`: the window starts at `floor((size - crop) / 2)`; where it reaches past the image (a crop
 * larger than the image), the missing pixels are 0, as its zero padding makes them.
 */
function centerCrop(pixels: Uint8Array, size: Size, crop: Size): Uint8Array {
  const top = Math.floor((size.height - crop.height) / 2);
  const left = Math.floor((size.width - crop.width) / 2);
  const out = new Uint8Array(crop.height * crop.width * 3);
  for (let y = 0; y < crop.height; y++) {
    const sourceY = top + y;
    if (sourceY < 0 || sourceY >= size.height) continue;
    for (let x = 0; x < crop.width; x++) {
      const sourceX = left + x;
      if (sourceX < 0 || sourceX >= size.width) continue;
      const from = (sourceY * size.width + sourceX) * 3;
      out.set(pixels.subarray(from, from + 3), (y * crop.width + x) * 3);
    }
  }
  return out;
}

/** The 8-bit RGB image the checker's network sees, after resizing and cropping (before rescaling). */
export function resizeAndCrop(
  image: { pixels: Uint8Array; width: number; height: number },
  config: ClipImageProcessorConfig,
): { pixels: Uint8Array } & Size {
  let current: { pixels: Uint8Array } & Size = image;
  if (config.resize) {
    const size = resizedSize(config.resize, image.width, image.height);
    current = { ...size, pixels: resizeBicubicRgb(image.pixels, image.width, image.height, size.width, size.height) };
  }
  if (config.crop) current = { ...config.crop, pixels: centerCrop(current.pixels, current, config.crop) };
  return current;
}

/**
 * `CLIPImageProcessor(images).pixel_values` for one 8-bit RGB image: channels-first float32 `[3, height, width]`.
 * Rescaling is float64 then float32 (transformers' `rescale`), normalizing float32 arithmetic (its `normalize` on a
 * float32 array), so the values match transformers' bit for bit.
 */
export function preprocessClipImage(
  image: { pixels: Uint8Array; width: number; height: number },
  config: ClipImageProcessorConfig,
): { data: Float32Array; dims: [3, number, number] } {
  const { pixels, width, height } = resizeAndCrop(image, config);
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  const { rescaleFactor, normalize } = config;
  for (let channel = 0; channel < 3; channel++) {
    const mean = Math.fround(normalize?.mean[channel] ?? 0);
    const std = Math.fround(normalize?.std[channel] ?? 1);
    for (let i = 0; i < plane; i++) {
      let value = pixels[i * 3 + channel];
      if (rescaleFactor !== undefined) value = Math.fround(value * rescaleFactor);
      if (normalize) value = Math.fround(Math.fround(value - mean) / std);
      data[channel * plane + i] = value;
    }
  }
  return { data, dims: [3, height, width] };
}
