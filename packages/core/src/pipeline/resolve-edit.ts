import { GENERATION_LIMITS } from '@stipple/jobs';
import { ValidationError } from '../errors.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import { checkRange } from './check-range.ts';
import type { GenerationRequest } from './generation-request.ts';

/**
 * Default `strength`: the `__call__` defaults of the diffusers pipeline that runs the model. Image-to-image is
 * `StableDiffusionImg2ImgPipeline`'s 0.8, or for an SDXL UNet (`text_embeds` and `time_ids`: base, refiner, SDXL
 * LCM) `StableDiffusionXLImg2ImgPipeline`'s 0.3, which keeps most of the image (a refiner redraws only the last,
 * low-noise steps). Inpainting is `StableDiffusionInpaintPipeline`'s 1: the masked region starts from pure noise
 * (`StableDiffusionXLInpaintPipeline`'s 0.9999 would run one step fewer, from the noised image).
 */
export const DEFAULT_STRENGTH = { imageToImage: 0.8, sdxlImageToImage: 0.3, inpainting: 1 } as const;

/** An image-to-image or inpainting request's settings, resolved. */
export interface ResolvedEdit {
  strength: number;
  /** A mask was given: inpainting (latent blending, or a 9-channel inpainting UNet). */
  inpaint: boolean;
  /** Blur of the mask, pixels (0 without a mask). */
  maskBlur: number;
  /** Paste the unmasked pixels back (false without a mask). */
  preserveUnmasked: boolean;
}

/** A field that only means something beside another (the rule `@stipple/jobs` states for jobs). */
function needs(field: string, present: boolean, on: 'image' | 'mask', has: boolean): void {
  if (!present || has) return;
  throw new ValidationError(`invalid_${field}`, `${field} needs ${on}; send ${on} too or leave ${field} out`, {
    field,
  });
}

/** The edit settings of a request (undefined for text-to-image), checked against the model's components. */
export function resolveEdit(request: GenerationRequest, model: StableDiffusionModel): ResolvedEdit | undefined {
  const hasImage = request.image !== undefined;
  const hasMask = request.mask !== undefined;
  needs('mask', hasMask, 'image', hasImage);
  needs('strength', request.strength !== undefined, 'image', hasImage);
  needs('mask_blur', request.maskBlur !== undefined, 'mask', hasMask);
  needs('preserve_unmasked', request.preserveUnmasked !== undefined, 'mask', hasMask);
  if (model.unet.inpainting && !hasMask) {
    throw new ValidationError(
      'mask_required',
      `model ${model.id} has an inpainting UNet (${model.unet.inputChannels} input channels: latents, mask, masked image); send image and mask, or use a text-to-image model`,
      { field: hasImage ? 'mask' : 'image' },
    );
  }
  if (model.requiresAestheticsScore && !hasImage) {
    throw new ValidationError(
      'image_required',
      `model ${model.id} is an SDXL refiner (requires_aesthetics_score): it refines an existing image and cannot draw one from noise; send image (image-to-image, or inpainting with mask), or use an SDXL base model for text-to-image`,
      { field: 'image' },
    );
  }
  if (!hasImage) return undefined;
  if (!model.hasVaeEncoder) {
    throw new ValidationError(
      'image_unsupported',
      `model ${model.id} has no VAE encoder (vae_encoder/model.onnx), which image-to-image and inpainting need; export the model with its VAE encoder`,
      { field: 'image' },
    );
  }
  const preserve = request.preserveUnmasked;
  if (preserve !== undefined && typeof preserve !== 'boolean') {
    throw new ValidationError(
      'invalid_preserve_unmasked',
      `preserve_unmasked must be true or false, found ${preserve}`,
      {
        field: 'preserve_unmasked',
      },
    );
  }
  const imageToImage = model.unet.contract.textTime ? DEFAULT_STRENGTH.sdxlImageToImage : DEFAULT_STRENGTH.imageToImage;
  const defaultStrength = hasMask ? DEFAULT_STRENGTH.inpainting : imageToImage;
  return {
    strength: checkRange('strength', request.strength ?? defaultStrength, GENERATION_LIMITS.strength),
    inpaint: hasMask,
    maskBlur: checkRange('mask_blur', request.maskBlur ?? 0, GENERATION_LIMITS.maskBlur),
    preserveUnmasked: hasMask && (preserve ?? true),
  };
}
