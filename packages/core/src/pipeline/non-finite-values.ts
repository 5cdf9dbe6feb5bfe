/**
 * Error codes for NaN or ±Infinity leaving a stage. Mapped to pixels they would become a black (or flat) image that
 * looks like a success, so the generation fails with the stage in the code instead.
 */
export const NON_FINITE_CODES = {
  /** The latents after a denoising step: the UNet's output or the scheduler's arithmetic overflowed. */
  latents: 'non_finite_latents',
  /** The VAE decoder's output from finite latents: typically an fp16 VAE overflowing (diffusers' `force_upcast`). */
  image: 'non_finite_image',
} as const;

/** Index of the first NaN or ±Infinity in `values`, or -1 when all are finite. One pass, no allocation. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    // x − x is 0 for every finite x and NaN for NaN and ±Infinity.
    if (value - value !== 0) return i;
  }
  return -1;
}
