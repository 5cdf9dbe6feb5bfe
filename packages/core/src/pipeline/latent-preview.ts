import type { StableDiffusionModel } from '../model/load-model.ts';
import { createGenerator } from '../noise/torch-generator.ts';
import { decodeLatents } from './decode-latents.ts';
import { StageTimer } from './stage-timer.ts';

/** A cheap look at images in progress: one RGB pixel per latent pixel (1/8 of the final size for SD). */
export interface LatentPreview {
  width: number;
  height: number;
  /** Interleaved 8-bit RGB per image, `width * height * 3` bytes each. */
  images: Uint8Array[];
}

/** Latent → RGB as an affine map: `rgb = weights · latent + bias`, per latent pixel, in [0, 255]. */
export interface LatentProjection {
  /** `[channels][3]`. */
  weights: number[][];
  bias: number[];
}

/**
 * The calibration latents: squares of `CALIBRATION_SIDE` latent pixels made of flat `CALIBRATION_BLOCK`-wide patches
 * (the decoder answers a flat patch with a flat colour, much as it answers the smooth x₀ estimates of a real
 * generation; per-pixel noise decodes to texture and fits poorly), `CALIBRATION_SAMPLES` of them.
 */
const CALIBRATION_SIDE = 16;
const CALIBRATION_BLOCK = 4;
const CALIBRATION_SAMPLES = 8;
const projections = new WeakMap<StableDiffusionModel, Promise<LatentProjection>>();

/** Solves the square system `a · x = b` (Gaussian elimination with partial pivoting); `b` has several columns. */
function solve(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(m[row][col]) > Math.abs(m[pivot][col])) pivot = row;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let row = 0; row < n; row++) {
      if (row === col || m[col][col] === 0) continue;
      const factor = m[row][col] / m[col][col];
      for (let k = col; k < m[row].length; k++) m[row][k] -= factor * m[col][k];
    }
  }
  return m.map((row, i) => row.slice(n).map((value) => value / (m[i][i] || 1)));
}

/**
 * Fits the model's own latent → RGB map: decodes a few random patchy latents with its VAE, averages each decoded
 * `factor × factor` block, and least-squares fits the block colours against the latent pixels (ridge-regularised a
 * little). Works for any VAE, so no per-family constants; runs once per loaded model, on the first preview asked for.
 * A linear map is only an approximation: on the default model the last step's preview is off by ~37 levels per
 * channel on average, against ~72 for a grey guess.
 */
export function latentProjection(model: StableDiffusionModel): Promise<LatentProjection> {
  let projection = projections.get(model);
  if (!projection) {
    projection = fitProjection(model);
    projections.set(model, projection);
  }
  return projection;
}

async function fitProjection(model: StableDiffusionModel): Promise<LatentProjection> {
  const channels = model.unet.latentChannels;
  const factor = model.vaeDecoder.spatialFactor;
  const side = CALIBRATION_SIDE;
  const size = side * factor;
  const features = channels + 1;
  const xtx = Array.from({ length: features }, (_, i) =>
    Array.from({ length: features }, (_, j) => (i === j ? 1e-3 : 0)),
  );
  const xty = Array.from({ length: features }, () => [0, 0, 0]);
  const generator = createGenerator(0);
  for (let sample = 0; sample < CALIBRATION_SAMPLES; sample++) {
    const perSide = side / CALIBRATION_BLOCK;
    const patches = generator.randn(channels * perSide * perSide);
    const latents = new Float32Array(channels * side * side);
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const patch = (c * perSide + Math.floor(y / CALIBRATION_BLOCK)) * perSide + Math.floor(x / CALIBRATION_BLOCK);
          latents[(c * side + y) * side + x] = patches[patch];
        }
      }
    }
    const pixels = await decodeLatents(
      model,
      latents,
      [channels, side, side],
      { width: size, height: size },
      new StageTimer(),
    );
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const feature = [...Array.from({ length: channels }, (_, c) => latents[(c * side + y) * side + x]), 1];
        const colour = [0, 0, 0];
        for (let dy = 0; dy < factor; dy++) {
          for (let dx = 0; dx < factor; dx++) {
            const at = ((y * factor + dy) * size + x * factor + dx) * 3;
            for (let c = 0; c < 3; c++) colour[c] += pixels[at + c] / (factor * factor);
          }
        }
        for (let i = 0; i < features; i++) {
          for (let j = 0; j < features; j++) xtx[i][j] += feature[i] * feature[j];
          for (let c = 0; c < 3; c++) xty[i][c] += feature[i] * colour[c];
        }
      }
    }
  }
  const solution = solve(xtx, xty);
  return { weights: solution.slice(0, channels), bias: solution[channels] };
}

/** Projects each image's latents (flattened `[n, channels, h, w]`) to RGB at latent resolution. */
export function projectLatents(
  projection: LatentProjection,
  latents: Float32Array,
  imageCount: number,
  latentDims: readonly number[],
): LatentPreview {
  const [channels, height, width] = latentDims;
  const plane = height * width;
  const images = Array.from({ length: imageCount }, (_, image) => {
    const base = image * channels * plane;
    const rgb = new Uint8Array(plane * 3);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) {
        let value = projection.bias[c];
        for (let k = 0; k < channels; k++) value += projection.weights[k][c] * latents[base + k * plane + p];
        rgb[p * 3 + c] = value <= 0 ? 0 : value >= 255 ? 255 : value + 0.5;
      }
    }
    return rgb;
  });
  return { width, height, images };
}
