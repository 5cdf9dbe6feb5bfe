import { sha256Hex, ValidationError } from '@stipple/core';
import { type InputImage, type Job, MAX_INPUT_IMAGE_BYTES } from '@stipple/jobs';
import type { ResultStore } from './result-store.ts';

/** A job's input files, read from its output bucket. */
export interface InputImageBytes {
  image?: Uint8Array;
  mask?: Uint8Array;
}

/**
 * Reads one input from the job's bucket and checks it is the file the job names: at most `MAX_INPUT_IMAGE_BYTES`
 * (`image_too_large`), present (`input_image_not_found`) and with the job's SHA-256 (`input_image_mismatch`: the key
 * was overwritten after the job was made). All three are the job's fault, so none is retried.
 */
async function readInput(
  store: ResultStore,
  bucket: string,
  field: 'image' | 'mask',
  input: InputImage,
): Promise<Uint8Array> {
  const bytes = await store.getBytes({ bucket, key: input.key }, MAX_INPUT_IMAGE_BYTES);
  if (bytes === undefined) {
    throw new ValidationError(
      'input_image_not_found',
      `${field} s3://${bucket}/${input.key} does not exist (deleted or expired); upload it again`,
      { field, bucket, key: input.key },
    );
  }
  const sha256 = sha256Hex(bytes);
  if (sha256 !== input.sha256) {
    throw new ValidationError(
      'input_image_mismatch',
      `${field} s3://${bucket}/${input.key} has SHA-256 ${sha256}, not the job's ${input.sha256}; it changed after the job was made`,
      { field, bucket, key: input.key, expected: input.sha256, found: sha256 },
    );
  }
  return bytes;
}

/** The job's `image` and `mask` bytes (none for text-to-image), checked against the job's digests. */
export async function readInputImages(job: Job, store: ResultStore): Promise<InputImageBytes> {
  const { image, mask } = job.parameters;
  const bucket = job.output.bucket;
  const [imageBytes, maskBytes] = await Promise.all([
    image && readInput(store, bucket, 'image', image),
    mask && readInput(store, bucket, 'mask', mask),
  ]);
  return { ...(imageBytes && { image: imageBytes }), ...(maskBytes && { mask: maskBytes }) };
}
