import { blurMask, fitImage } from '../image/fit-image.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import type { RandomGenerator } from '../noise/random-generator.ts';
import type { Scheduler } from '../schedulers/scheduler.ts';
import type { EditInputs } from './edit-inputs.ts';
import {
  appendChannels,
  binaryMask,
  downsampleNearest,
  maskedPixelTensor,
  overlayUnmasked,
  pixelTensor,
} from './edit-tensors.ts';
import { encodeImageLatents, sampleImageLatents } from './encode-image-latents.ts';
import type { EditRecord } from './generation-record.ts';
import type { ResolvedRequest } from './generation-request.ts';
import type { ResolvedEdit } from './resolve-edit.ts';
import type { StageTimer } from './stage-timer.ts';
import { repeat } from './unet-conditioning.ts';

/** What an image-to-image or inpainting request carries through the denoising loop. */
export interface PreparedEdit {
  /** Each image's clean latents from the VAE encoder, scaled into the UNet's space, `[n, channels, h, w]`. */
  imageLatents: Float32Array | undefined;
  /** The noise the start was drawn with, reused to re-noise the known region (4-channel inpainting). */
  noise: Float32Array;
  /** 4-channel inpainting: the `[h, w]` latent mask (1 = repaint) blended after every step. */
  blendMask: Float32Array | undefined;
  /** Inpainting UNet: each UNet row's extra input channels, mask ⊕ masked-image latents (rows as the loop's). */
  unetChannels: Float32Array | undefined;
  /** `preserveUnmasked`: the input at the generation size and the (blurred) mask to paste it back through. */
  overlay: { pixels: Uint8Array; mask: Uint8Array } | undefined;
  record: EditRecord;
}

interface EditContext {
  settings: ResolvedRequest & { edit: ResolvedEdit };
  inputs: EditInputs;
  scheduler: Scheduler;
  /** The timesteps this request runs (the schedule's tail, see `denoisingSteps`). */
  timesteps: readonly number[];
  generator: RandomGenerator;
  guided: boolean;
  timer: StageTimer;
}

/**
 * Step 4 of diffusers' `StableDiffusionImg2ImgPipeline` / `StableDiffusionInpaintPipeline` (`prepare_latents`,
 * `prepare_mask_latents`) for one request: fit the inputs to the size, encode the image, draw the noise, and start
 * the latents at the first timestep that runs. Each image's generator draws, in diffusers' order: the image latent's
 * sample (when the image is encoded and the encoder gives a distribution), the noise, then for inpainting the masked
 * image latent's sample (drawn even for a 4-channel UNet, which does not use it, so the streams stay aligned).
 */
export async function prepareEdit(
  model: StableDiffusionModel,
  { settings, inputs, scheduler, timesteps, generator, guided, timer }: EditContext,
): Promise<{ latents: Float32Array; edit: PreparedEdit }> {
  const { edit, n } = settings;
  const size = { width: settings.width, height: settings.height };
  const factor = model.vaeDecoder.spatialFactor;
  const [rows, columns] = [size.height / factor, size.width / factor];
  const latentSize = model.unet.latentChannels * rows * columns;
  const image = await fitImage(inputs.image, size);
  const pixels = pixelTensor(image);
  const softMask = inputs.mask && (await fitImage(await blurMask(inputs.mask, edit.maskBlur), size));

  // 4. Prepare latents: an inpainting UNet at strength 1 starts from pure noise and never needs the image's latents.
  const fromNoise = edit.inpaint && edit.strength === 1;
  const needsImage = !(model.unet.inpainting && fromNoise);
  const imageLatents = needsImage
    ? sampleImageLatents(model, await encodeImageLatents(model, pixels, size, timer), generator, n)
    : undefined;
  const noise = generator.randn(n * latentSize);
  const latents =
    fromNoise || imageLatents === undefined
      ? noise.map((value) => value * scheduler.initNoiseSigma)
      : scheduler.addNoise(imageLatents, noise, timesteps[0]);

  const record: EditRecord = { imageSha256: inputs.imageSha256, strength: edit.strength };
  if (!softMask || !inputs.maskSha256) {
    return {
      latents,
      edit: { imageLatents, noise, blendMask: undefined, unetChannels: undefined, overlay: undefined, record },
    };
  }

  // 5. Prepare the mask and the masked image's latents (diffusers' `prepare_mask_latents`).
  const mask = binaryMask(softMask);
  const latentMask = downsampleNearest(mask, size, rows, columns);
  const masked = await encodeMaskedImage(model, maskedPixelTensor(pixels, mask), size, generator, n, timer);
  let unetChannels: Float32Array | undefined;
  if (model.unet.inpainting) {
    const perImage = appendChannels(repeat(latentMask, n), masked, n);
    unetChannels = guided ? repeat(perImage, 2) : perImage;
  }
  return {
    latents,
    edit: {
      imageLatents,
      noise,
      blendMask: model.unet.inpainting ? undefined : latentMask,
      unetChannels,
      overlay: edit.preserveUnmasked ? { pixels: image.pixels, mask: softMask.pixels } : undefined,
      record: {
        ...record,
        maskSha256: inputs.maskSha256,
        maskBlur: edit.maskBlur,
        preserveUnmasked: edit.preserveUnmasked,
      },
    },
  };
}

/**
 * The masked image's latents for an inpainting UNet. A 4-channel UNet does not use them, so the encoder does not run;
 * only the generator draws diffusers' pipeline would make are made.
 */
async function encodeMaskedImage(
  model: StableDiffusionModel,
  pixels: Float32Array,
  size: { width: number; height: number },
  generator: RandomGenerator,
  images: number,
  timer: StageTimer,
): Promise<Float32Array> {
  if (model.unet.inpainting) {
    return sampleImageLatents(model, await encodeImageLatents(model, pixels, size, timer), generator, images);
  }
  const { contract } = await model.vaeEncoder();
  const factor = model.vaeDecoder.spatialFactor;
  if (contract.output === 'parameters') {
    generator.randn(images * model.unet.latentChannels * (size.height / factor) * (size.width / factor));
  }
  return new Float32Array(0);
}

/**
 * 4-channel inpainting after each step (diffusers' loop, `num_channels_unet == 4`): the known region is the image's
 * latents noised to the next timestep (clean after the last step), and the mask picks the denoised latents where it
 * repaints: (1 − m) · known + m · latents.
 */
export function blendKnownRegion(
  edit: PreparedEdit,
  scheduler: Scheduler,
  latents: Float32Array,
  nextTimestep: number | undefined,
): Float32Array {
  const { blendMask, imageLatents, noise } = edit;
  if (!blendMask || !imageLatents) return latents;
  const known = nextTimestep === undefined ? imageLatents : scheduler.addNoise(imageLatents, noise, nextTimestep);
  const plane = blendMask.length;
  return latents.map((value, i) => {
    const m = blendMask[i % plane];
    return Math.fround((1 - m) * known[i]) + Math.fround(m * value);
  });
}

/** The decoded image with the input's unmasked pixels pasted back, when the request asked for it. */
export function applyOverlay(edit: PreparedEdit | undefined, pixels: Uint8Array): Uint8Array {
  return edit?.overlay ? overlayUnmasked(pixels, edit.overlay.pixels, edit.overlay.mask) : pixels;
}
