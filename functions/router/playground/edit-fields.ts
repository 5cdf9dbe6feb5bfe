import type { JobRequestBody } from '../src/jobs/job-request-schema.ts';
import { hasMask, maskPng } from './mask-canvas.ts';
import { showStatus } from './page-elements.ts';
import { pickedImage } from './picked-image.ts';
import { strength } from './strength-slider.ts';
import { uploadInput } from './upload-input.ts';

/**
 * The job's image-to-image or inpainting fields, the picked image and any painted mask uploaded (through
 * `POST /v1/uploads`, so an image of up to 20 MiB goes straight to the bucket); none for text-to-image.
 */
export async function editFields(): Promise<Pick<JobRequestBody, 'image' | 'mask' | 'strength'>> {
  const image = pickedImage();
  if (!image) return {};
  showStatus('Uploading the image…');
  const fields = { image: await uploadInput('image', image.file, image.contentType), strength: strength() };
  if (!hasMask()) return fields;
  showStatus('Uploading the mask…');
  return { ...fields, mask: await uploadInput('mask', await maskPng(), 'image/png') };
}
