import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { decodeInputImage, type RasterImage } from '../image/input-image.ts';
import type { GenerationRequest } from './generation-request.ts';

/** A request's input files, decoded and checked, with the digests the record names them by. */
export interface EditInputs {
  image: RasterImage;
  mask: RasterImage | undefined;
  /** SHA-256 of the image file's bytes, lowercase hex. */
  imageSha256: string;
  maskSha256: string | undefined;
}

/** SHA-256 of a file's bytes in lowercase hex: how records (and jobs, `@stipple/jobs` `inputImageSchema`) name inputs. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Decodes a request's `image` and `mask` (undefined for text-to-image). The mask must have the image's size once both
 * are upright (`mask_size_mismatch` otherwise): a mask drawn over the image cannot be aligned any other way.
 */
export async function decodeEditInputs(request: GenerationRequest): Promise<EditInputs | undefined> {
  if (request.image === undefined) return undefined;
  const [image, mask] = await Promise.all([
    decodeInputImage(request.image, 'image'),
    request.mask === undefined ? undefined : decodeInputImage(request.mask, 'mask'),
  ]);
  if (mask && (mask.width !== image.width || mask.height !== image.height)) {
    throw new ValidationError(
      'mask_size_mismatch',
      `mask is ${mask.width}×${mask.height} but image is ${image.width}×${image.height}; use a mask of the image's size`,
      { field: 'mask', width: mask.width, height: mask.height, expected: { width: image.width, height: image.height } },
    );
  }
  return {
    image,
    mask,
    imageSha256: sha256Hex(request.image),
    maskSha256: request.mask === undefined ? undefined : sha256Hex(request.mask),
  };
}
