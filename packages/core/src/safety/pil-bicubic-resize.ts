/**
 * Pillow's `Image.resize(size, Image.BICUBIC)` for 8-bit RGB, bit for bit: what transformers' `CLIPImageProcessor`
 * calls (through `image_transforms.resize`, with `reducing_gap=None`), so the safety checker sees the pixels it was
 * calibrated on. Pillow's `libImaging/Resample.c`: a separable convolution, horizontal pass then vertical, each pass
 * rounding to 8 bits; the kernel is Keys' cubic with a = -0.5, widened by the scale when shrinking (antialiasing);
 * the normalized weights are fixed-point with 22 fractional bits (`PRECISION_BITS`).
 */

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);
const BICUBIC_SUPPORT = 2;

/** Keys' cubic convolution kernel, a = -0.5 (Resample.c `bicubic_filter`). */
function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/** Per output index: the first input index it reads and its fixed-point weights (Resample.c `precompute_coeffs`). */
interface Coefficients {
  first: Int32Array;
  weights: Int32Array[];
}

function precomputeCoefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const first = new Int32Array(outSize);
  const weights: Int32Array[] = [];
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    // C's (int) truncates toward zero; both ends are rounded half up there.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const raw = new Float64Array(xmax);
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      raw[x] = bicubic((x + xmin - center + 0.5) / filterScale);
      total += raw[x];
    }
    // normalize_coeffs_8bpc: round half away from zero to 22 fractional bits.
    const fixed = new Int32Array(xmax);
    for (let x = 0; x < xmax; x++) {
      const weight = total === 0 ? raw[x] : raw[x] / total;
      fixed[x] = Math.trunc(weight < 0 ? weight * ONE - 0.5 : weight * ONE + 0.5);
    }
    first[out] = xmin;
    weights.push(fixed);
  }
  return { first, weights };
}

/** Rounds a fixed-point sum (which started at one half) to a byte, clamped (Resample.c `clip8`). */
function clip8(sum: number): number {
  const value = Math.floor(sum / ONE);
  return Math.min(Math.max(value, 0), 255);
}

/** Interleaved 8-bit RGB `width × height` resized to `outWidth × outHeight`, as Pillow's bicubic filter does. */
export function resizeBicubicRgb(
  pixels: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  let source = pixels;
  if (outWidth !== width) {
    const { first, weights } = precomputeCoefficients(width, outWidth);
    const out = new Uint8Array(outWidth * height * 3);
    for (let y = 0; y < height; y++) {
      const row = y * width * 3;
      for (let x = 0; x < outWidth; x++) {
        const kernel = weights[x];
        const start = row + first[x] * 3;
        for (let channel = 0; channel < 3; channel++) {
          let sum = HALF;
          for (let k = 0; k < kernel.length; k++) sum += source[start + k * 3 + channel] * kernel[k];
          out[(y * outWidth + x) * 3 + channel] = clip8(sum);
        }
      }
    }
    source = out;
  }
  if (outHeight !== height) {
    const { first, weights } = precomputeCoefficients(height, outHeight);
    const rowLength = outWidth * 3;
    const out = new Uint8Array(outHeight * rowLength);
    for (let y = 0; y < outHeight; y++) {
      const kernel = weights[y];
      const start = first[y] * rowLength;
      for (let i = 0; i < rowLength; i++) {
        let sum = HALF;
        for (let k = 0; k < kernel.length; k++) sum += source[start + k * rowLength + i] * kernel[k];
        out[y * rowLength + i] = clip8(sum);
      }
    }
    source = out;
  }
  return source === pixels ? pixels.slice() : source;
}
