import { join } from 'node:path';
import { floatTensor, readFloatTensor } from '../backend/tensor-conversion.ts';
import { ModelError } from '../errors.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import type { StageTimer } from './stage-timer.ts';

/**
 * Decodes one image's latents to 8-bit RGB. One image per VAE call keeps peak memory flat with batch size; the
 * arithmetic is diffusers' `VaeImageProcessor.postprocess`: (x / 2 + 0.5) clamped to [0, 1], × 255, rounded.
 */
export async function decodeLatents(
  model: StableDiffusionModel,
  latents: Float32Array,
  latentDims: readonly number[],
  size: { width: number; height: number },
  timer: StageTimer,
): Promise<Uint8Array> {
  const { session, contract, scalingFactor } = model.vaeDecoder;
  const scaled = latents.map((value) => value / scalingFactor);
  const outputs = await timer.run('vaeDecoderMs', session, {
    latent_sample: floatTensor(scaled, contract.latentType, [1, ...latentDims]),
  });
  const output = outputs[contract.outputName];
  const expected = [1, 3, size.height, size.width];
  if (output.dims.join() !== expected.join()) {
    const file = join(model.dir, 'vae_decoder', 'model.onnx');
    throw new ModelError(
      'model_contract_mismatch',
      `${file} output "${contract.outputName}" is [${output.dims.join(', ')}]; expected [${expected.join(', ')}] (spatial factor ${model.vaeDecoder.spatialFactor} from vae_decoder/config.json)`,
      { file, output: contract.outputName, expected, found: output.dims },
    );
  }
  const image = readFloatTensor(output);
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
