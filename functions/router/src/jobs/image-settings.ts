import { ApiError } from '../errors/api-error.ts';
import { DEFAULT_IMAGE_STRENGTH, DEFAULT_INPAINT_STRENGTH, type JobRequest } from './job-request-schema.ts';

/** The image-to-image and inpainting values a job runs with (the job contract's names). */
export interface ImageSettings {
  strength?: number;
  maskBlur?: number;
  preserveUnmasked?: boolean;
}

/**
 * The request's image settings, each checked to come with what it acts on (a 400 naming the field otherwise), and
 * `strength` filled in when an image came without one, so the price is that of the steps that will run.
 */
export function imageSettings(request: JobRequest): ImageSettings {
  const needs = (field: keyof JobRequest, present: boolean, on: 'image' | 'mask') => {
    if (present && request[on] === undefined) {
      throw new ApiError(400, 'invalid_request', `${field} needs ${on}; send ${on} too or leave ${field} out`, {
        param: field,
      });
    }
  };
  needs('mask', request.mask !== undefined, 'image');
  needs('strength', request.strength !== undefined, 'image');
  needs('mask_blur', request.mask_blur !== undefined, 'mask');
  needs('preserve_unmasked', request.preserve_unmasked !== undefined, 'mask');
  if (request.image === undefined) return {};
  const defaultStrength = request.mask === undefined ? DEFAULT_IMAGE_STRENGTH : DEFAULT_INPAINT_STRENGTH;
  return {
    strength: request.strength ?? defaultStrength,
    maskBlur: request.mask_blur,
    preserveUnmasked: request.preserve_unmasked,
  };
}
