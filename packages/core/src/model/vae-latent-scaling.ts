import { ModelError } from '../errors.ts';
import { configNumber } from './read-model-json.ts';

/** diffusers' `AutoencoderKL` default `scaling_factor` (SD 1.x/2.x). */
export const DEFAULT_LATENT_SCALING_FACTOR = 0.18215;

/** How the UNet's latents map back to the VAE's latent space, from diffusers' `AutoencoderKL` config keys. */
export interface VaeLatentScaling {
  /** `scaling_factor`: latents are divided by it before decoding. Default 0.18215. */
  scalingFactor: number;
  /** `shift_factor` (SD3, Flux VAEs): added after dividing by the scaling factor. Default 0 (diffusers' None). */
  shiftFactor: number;
  /**
   * `latents_mean` and `latents_std` (Playground v2.5's SDXL VAE), one per latent channel, or undefined unless the
   * config sets both. When set they replace the shift: latents · std / scaling_factor + mean, per channel.
   */
  channelStatistics: { mean: readonly number[]; std: readonly number[] } | undefined;
}

function numberList(config: Record<string, unknown>, key: string, channels: number, path: string): number[] {
  const value = config[key];
  if (
    Array.isArray(value) &&
    value.length === channels &&
    value.every((x) => typeof x === 'number' && Number.isFinite(x))
  ) {
    return value as number[];
  }
  throw new ModelError(
    'model_file_corrupt',
    `${path} "${key}" must list ${channels} finite numbers (one per latent channel), found ${JSON.stringify(value)}`,
    { path, key, expected: channels },
  );
}

/** Reads the scaling keys of `vae_decoder/config.json` (`path`, for errors) for latents of `channels` channels. */
export function readVaeLatentScaling(
  config: Record<string, unknown> | undefined,
  channels: number,
  path: string,
): VaeLatentScaling {
  const scalingFactor = configNumber(config, 'scaling_factor', DEFAULT_LATENT_SCALING_FACTOR);
  const shiftFactor = configNumber(config, 'shift_factor', 0);
  // diffusers uses the statistics only when both are set (`StableDiffusionXLPipeline.__call__`, has_latents_mean/std).
  const hasStatistics = config?.latents_mean != null && config?.latents_std != null;
  const channelStatistics = hasStatistics
    ? {
        mean: numberList(config, 'latents_mean', channels, path),
        std: numberList(config, 'latents_std', channels, path),
      }
    : undefined;
  return { scalingFactor, shiftFactor, channelStatistics };
}

/**
 * The UNet's latents (`[channels, height, width]` of one image, flattened) in the VAE's latent space, as diffusers
 * computes them before `vae.decode`: with channel statistics, latents · std[c] / scaling_factor + mean[c]
 * (`StableDiffusionXLPipeline`); otherwise latents / scaling_factor + shift_factor (`StableDiffusion3Pipeline`,
 * `FluxPipeline`; the shift is 0 for SD 1.x/2.x/XL).
 */
export function unscaleLatents(latents: Float32Array, channels: number, scaling: VaeLatentScaling): Float32Array {
  const { scalingFactor, shiftFactor, channelStatistics } = scaling;
  if (channelStatistics === undefined) return latents.map((value) => value / scalingFactor + shiftFactor);
  const planeSize = latents.length / channels;
  const unscaled = new Float32Array(latents.length);
  for (let channel = 0; channel < channels; channel++) {
    const std = channelStatistics.std[channel];
    const mean = channelStatistics.mean[channel];
    for (let i = channel * planeSize; i < (channel + 1) * planeSize; i++) {
      unscaled[i] = (latents[i] * std) / scalingFactor + mean;
    }
  }
  return unscaled;
}

/**
 * The inverse of `unscaleLatents`: one image's VAE-encoder latents (`[channels, height, width]`, flattened) into the
 * UNet's space, as diffusers' image-to-image pipelines scale `vae.encode` output: (x − mean[c]) · scaling_factor /
 * std[c] with channel statistics (`StableDiffusionXLImg2ImgPipeline.prepare_latents`); otherwise (x − shift_factor) ·
 * scaling_factor (`StableDiffusion3Img2ImgPipeline`; plain `scaling_factor · x` for SD 1.x/2.x/XL, whose shift is 0).
 */
export function scaleLatents(latents: Float32Array, channels: number, scaling: VaeLatentScaling): Float32Array {
  const { scalingFactor, shiftFactor, channelStatistics } = scaling;
  if (channelStatistics === undefined) {
    if (shiftFactor === 0) return latents.map((value) => scalingFactor * value);
    return latents.map((value) => Math.fround(value - shiftFactor) * scalingFactor);
  }
  const planeSize = latents.length / channels;
  const scaled = new Float32Array(latents.length);
  const { mean, std } = channelStatistics;
  for (let i = 0; i < latents.length; i++) {
    const channel = Math.floor(i / planeSize);
    scaled[i] = Math.fround(Math.fround(latents[i] - mean[channel]) * scalingFactor) / std[channel];
  }
  return scaled;
}
