import { join } from 'node:path';
import { floatTensor, readFloatTensor } from '../backend/tensor-conversion.ts';
import { ModelError } from '../errors.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import { unscaleLatents } from '../model/vae-latent-scaling.ts';
import { VAE_DECODER_FP32 } from '../model/vae-upcast.ts';
import { firstNonFinite, NON_FINITE_CODES } from './non-finite-values.ts';
import type { StageTimer } from './stage-timer.ts';

/**
 * Decodes one image's latents to 8-bit RGB (first into the VAE's latent space, see `unscaleLatents`). One image per
 * VAE call keeps peak memory flat with batch size; the arithmetic is diffusers' `VaeImageProcessor.postprocess`: (x / 2 + 0.5) clamped to [0, 1], × 255, rounded. A decoder
 * output with NaN or ±Infinity fails (`non_finite_image`) rather than clamping to a black image.
 */
export async function decodeLatents(
  model: StableDiffusionModel,
  latents: Float32Array,
  latentDims: readonly number[],
  size: { width: number; height: number },
  timer: StageTimer,
): Promise<Uint8Array> {
  const { session, contract, upcast } = model.vaeDecoder;
  const file = join(model.dir, upcast.component, 'model.onnx');
  const unscaled = unscaleLatents(latents, latentDims[0], model.vaeDecoder);
  const outputs = await timer.run('vaeDecoderMs', session, {
    latent_sample: floatTensor(unscaled, contract.latentType, [1, ...latentDims]),
  });
  const output = outputs[contract.outputName];
  const expected = [1, 3, size.height, size.width];
  if (output.dims.join() !== expected.join()) {
    throw new ModelError(
      'model_contract_mismatch',
      `${file} output "${contract.outputName}" is [${output.dims.join(', ')}]; expected [${expected.join(', ')}] (spatial factor ${model.vaeDecoder.spatialFactor} from vae_decoder/config.json)`,
      { file, output: contract.outputName, expected, found: output.dims },
    );
  }
  const image = readFloatTensor(output);
  const bad = firstNonFinite(image);
  if (bad >= 0) throw nonFiniteImage(model, file, image[bad]);
  const planeSize = image.length / 3;
  const pixels = new Uint8Array(image.length);
  for (let channel = 0; channel < 3; channel++) {
    const plane = channel * planeSize;
    for (let i = 0; i < planeSize; i++) {
      const value = image[plane + i] * 127.5 + 127.5;
      // Same as round(clamp(x / 2 + 0.5, 0, 1) · 255); the Uint8Array store truncates the +0.5.
      pixels[i * 3 + channel] = value <= 0 ? 0 : value >= 255 ? 255 : value + 0.5;
    }
  }
  return pixels;
}

/** The failure for a decoder output with NaN or ±Infinity, with what would fix it for this folder. */
function nonFiniteImage(model: StableDiffusionModel, file: string, value: number): ModelError {
  const { contract, upcast } = model.vaeDecoder;
  const fp32Folder = join(model.dir, VAE_DECODER_FP32);
  let remedy = 'the decoder itself produces them from finite latents';
  if (contract.latentType === 'float16' && upcast.hasFp32Decoder) {
    remedy = `the fp16 VAE overflowed; ${join(model.dir, 'vae_decoder', 'config.json')} sets force_upcast to false, so set it to true to decode with ${fp32Folder}`;
  } else if (contract.latentType === 'float16') {
    remedy = `the fp16 VAE overflowed (diffusers' force_upcast); export the VAE decoder in fp32 into ${fp32Folder} (docs/MODELS.md, "fp16 VAEs"), or use an fp16-safe VAE`;
  }
  return new ModelError(
    NON_FINITE_CODES.image,
    `${file} decoded finite latents to ${value} (NaN or Infinity) instead of pixels: ${remedy}`,
    { file, value: String(value), forceUpcast: upcast.forceUpcast, hasFp32Decoder: upcast.hasFp32Decoder },
  );
}
