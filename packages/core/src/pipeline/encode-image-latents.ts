import { floatTensor, readFloatTensor } from '../backend/tensor-conversion.ts';
import { ModelError } from '../errors.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import { scaleLatents } from '../model/vae-latent-scaling.ts';
import type { RandomGenerator } from '../noise/random-generator.ts';
import type { StageTimer } from './stage-timer.ts';

/** What the VAE encoder says about one image: a latent, or a diagonal Gaussian to draw one from. */
export interface LatentDistribution {
  mean: Float32Array;
  /** Undefined for an export whose output is the latent itself (`latent_sample`). */
  logVariance: Float32Array | undefined;
}

/**
 * Runs the VAE encoder on one image (`[3, height, width]` in [-1, 1], flattened) and returns its latent distribution,
 * `[channels, height / factor, width / factor]`.
 */
export async function encodeImageLatents(
  model: StableDiffusionModel,
  pixels: Float32Array,
  size: { width: number; height: number },
  timer: StageTimer,
): Promise<LatentDistribution> {
  const { session, contract, file } = await model.vaeEncoder();
  const outputs = await timer.run('vaeEncoderMs', session, {
    sample: floatTensor(pixels, contract.sampleType, [1, 3, size.height, size.width]),
  });
  const output = outputs[contract.outputName];
  const channels = model.unet.latentChannels * (contract.output === 'parameters' ? 2 : 1);
  const factor = model.vaeDecoder.spatialFactor;
  const expected = [1, channels, size.height / factor, size.width / factor];
  if (output.dims.join() !== expected.join()) {
    throw new ModelError(
      'model_contract_mismatch',
      `${file} output "${contract.outputName}" is [${output.dims.join(', ')}]; expected [${expected.join(', ')}]`,
      { file, output: contract.outputName, expected, found: output.dims },
    );
  }
  const values = readFloatTensor(output);
  if (contract.output === 'sample') return { mean: values, logVariance: undefined };
  const half = values.length / 2;
  return { mean: values.subarray(0, half), logVariance: values.subarray(half) };
}

/**
 * `images` latents in the UNet's space, `[images, channels, h, w]`: each drawn from the distribution with its own
 * generator as diffusers' `DiagonalGaussianDistribution.sample` does (mean + exp(0.5 · clamp(logvar, −30, 20)) · ε,
 * one draw of the latent's size per image), then scaled (`scaleLatents`). A plain latent draws nothing.
 */
export function sampleImageLatents(
  model: StableDiffusionModel,
  distribution: LatentDistribution,
  generator: RandomGenerator,
  images: number,
): Float32Array {
  const { mean, logVariance } = distribution;
  const size = mean.length;
  const channels = model.unet.latentChannels;
  const out = new Float32Array(size * images);
  if (logVariance === undefined) {
    const scaled = scaleLatents(mean, channels, model.vaeDecoder);
    for (let i = 0; i < images; i++) out.set(scaled, i * size);
    return out;
  }
  const std = logVariance.map((value) => Math.exp(Math.fround(0.5 * Math.min(20, Math.max(-30, value)))));
  const noise = generator.randn(size * images);
  for (let i = 0; i < images; i++) {
    const sample = mean.map((m, j) => m + Math.fround(std[j] * noise[i * size + j]));
    out.set(scaleLatents(sample, channels, model.vaeDecoder), i * size);
  }
  return out;
}
