import type { RasterImage } from '../image/input-image.ts';

/**
 * An RGB image as the VAE encoder takes it: `[3, height, width]`, each 8-bit value v as 2 · (v / 255) − 1 in float32
 * (diffusers' `VaeImageProcessor.preprocess`: `pil_to_numpy`, then `normalize`).
 */
export function pixelTensor(image: RasterImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let channel = 0; channel < 3; channel++) {
      out[channel * plane + i] = 2 * Math.fround(image.pixels[i * 3 + channel] / 255) - 1;
    }
  }
  return out;
}

/**
 * A luminance mask as diffusers' mask processor makes it (`do_binarize`): 1 where v / 255 ≥ 0.5 (repaint), else 0.
 * Row-major `[height, width]`.
 */
export function binaryMask(mask: RasterImage): Float32Array {
  return Float32Array.from(mask.pixels, (value) => (value >= 128 ? 1 : 0));
}

/** The image with the masked region set to 0 (mid grey): diffusers' `init_image * (mask_condition < 0.5)`. */
export function maskedPixelTensor(pixels: Float32Array, mask: Float32Array): Float32Array {
  const plane = mask.length;
  return pixels.map((value, i) => (mask[i % plane] < 0.5 ? value : 0));
}

/**
 * A `[height, width]` plane resized to `[rows, columns]` by nearest neighbour, as `torch.nn.functional.interpolate`'s
 * default mode does (source index floor(i · in / out)): the latent-resolution mask of diffusers' `prepare_mask_latents`.
 */
export function downsampleNearest(
  plane: Float32Array,
  size: { width: number; height: number },
  rows: number,
  columns: number,
): Float32Array {
  const out = new Float32Array(rows * columns);
  const scaleY = Math.fround(size.height / rows);
  const scaleX = Math.fround(size.width / columns);
  for (let y = 0; y < rows; y++) {
    const sourceY = Math.min(Math.floor(y * scaleY), size.height - 1);
    for (let x = 0; x < columns; x++) {
      const sourceX = Math.min(Math.floor(x * scaleX), size.width - 1);
      out[y * columns + x] = plane[sourceY * size.width + sourceX];
    }
  }
  return out;
}

/**
 * Pastes the original's pixels back where the mask keeps them: per pixel, generated · m + original · (1 − m) with
 * m = mask / 255, rounded (diffusers' `apply_overlay`, which alpha-composites the original through the inverted mask;
 * PIL's premultiplied arithmetic may round a blurred edge a level differently). Where the mask is 0 the original comes
 * back exactly.
 */
export function overlayUnmasked(generated: Uint8Array, original: Uint8Array, mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(generated.length);
  for (let i = 0; i < generated.length; i++) {
    const m = mask[Math.floor(i / 3)];
    out[i] = Math.round((generated[i] * m + original[i] * (255 - m)) / 255);
  }
  return out;
}

/**
 * Each row's latents with extra channels appended (`torch.cat([latents, mask, masked_image_latents], dim=1)` for an
 * inpainting UNet): `latents` is `[rows, latentChannels, plane]`, `extra` `[rows, extraChannels, plane]`.
 */
export function appendChannels(latents: Float32Array, extra: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(latents.length + extra.length);
  const latentRow = latents.length / rows;
  const extraRow = extra.length / rows;
  for (let row = 0; row < rows; row++) {
    out.set(latents.subarray(row * latentRow, (row + 1) * latentRow), row * (latentRow + extraRow));
    out.set(extra.subarray(row * extraRow, (row + 1) * extraRow), row * (latentRow + extraRow) + latentRow);
  }
  return out;
}
