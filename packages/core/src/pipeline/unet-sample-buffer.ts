/** One job's part of the UNet's `sample` batch. */
export interface SamplePart {
  /** The job's latents, scaled for this timestep (`scaleModelInput`): n images' rows. */
  scaled: Float32Array;
  /** 2 under classifier-free guidance (the unconditional and conditional rows see the same latents), else 1. */
  copies: 1 | 2;
  /** An inpainting UNet's mask and masked-image channels, one block per row (`copies × n` rows), after its latents. */
  extra?: Float32Array;
}

/**
 * The UNet's `sample` input, written into one buffer kept across the steps of a denoising loop instead of a new
 * `repeat`, concatenation and channel join each step. Rows are job-major, each job's `[latents × n] × copies`, as
 * diffusers' `torch.cat([latents] * 2)` then `torch.cat([latents, mask, masked_image_latents], dim=1)`. The buffer is
 * overwritten by the next `fill`: sessions copy their feeds (to ONNX Runtime, or to the inference thread) during `run`.
 */
export class UnetSampleBuffer {
  private data = new Float32Array(0);

  /** Fills the batch; `latentRow` is one image's latent elements (channels × height × width). */
  fill(parts: readonly SamplePart[], latentRow: number): Float32Array {
    const length = parts.reduce((sum, part) => sum + part.scaled.length * part.copies + (part.extra?.length ?? 0), 0);
    if (this.data.length !== length) this.data = new Float32Array(length);
    let at = 0;
    for (const { scaled, copies, extra } of parts) {
      const images = scaled.length / latentRow;
      const extraRow = extra ? extra.length / (images * copies) : 0;
      for (let row = 0; row < images * copies; row++) {
        const image = row % images;
        this.data.set(scaled.subarray(image * latentRow, (image + 1) * latentRow), at);
        at += latentRow;
        if (extra) {
          this.data.set(extra.subarray(row * extraRow, (row + 1) * extraRow), at);
          at += extraRow;
        }
      }
    }
    return this.data;
  }
}
