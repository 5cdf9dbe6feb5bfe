/**
 * Classifier-free guidance (Ho & Salimans 2022): the UNet ran on [unconditional × n, conditional × n] in one batch;
 * the guided prediction is uncond + scale · (cond − uncond), written to `out` (a denoising loop passes the same buffer
 * every step) or a new array.
 */
export function applyClassifierFreeGuidance(
  batchedPrediction: Float32Array,
  scale: number,
  out?: Float32Array,
): Float32Array {
  const half = batchedPrediction.length / 2;
  const guided = out ?? new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const uncond = batchedPrediction[i];
    guided[i] = uncond + scale * (batchedPrediction[half + i] - uncond);
  }
  return guided;
}

/** Unbiased standard deviation (torch's default `correction=1`). */
function standardDeviation(values: Float32Array): number {
  let mean = 0;
  for (const value of values) mean += value;
  mean /= values.length;
  let sumOfSquares = 0;
  for (const value of values) sumOfSquares += (value - mean) ** 2;
  return Math.sqrt(sumOfSquares / (values.length - 1));
}

/**
 * Guidance rescale φ (Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps are Flawed", §3.4; diffusers
 * `rescale_noise_cfg`): per image, scale the guided prediction to the conditional one's standard deviation, then mix
 * φ of it with 1 − φ of the guided prediction. Works in place on `guided`.
 */
export function rescaleGuidance(
  guided: Float32Array,
  conditional: Float32Array,
  imageCount: number,
  phi: number,
): void {
  const perImage = guided.length / imageCount;
  for (let image = 0; image < imageCount; image++) {
    const start = image * perImage;
    const guidedImage = guided.subarray(start, start + perImage);
    const ratio = standardDeviation(conditional.subarray(start, start + perImage)) / standardDeviation(guidedImage);
    for (let i = 0; i < perImage; i++) guidedImage[i] = phi * guidedImage[i] * ratio + (1 - phi) * guidedImage[i];
  }
}

/**
 * LCM's guidance embedding (diffusers `LatentConsistencyModelPipeline.get_guidance_scale_embedding`, after VDM
 * Appendix E): sinusoidal features of w·1000, sines then cosines, zero-padded to an odd width. LCM folds guidance into
 * the model, so w = guidance − 1 replaces the unconditional pass.
 */
export function guidanceScaleEmbedding(w: number, embeddingDim: number): Float32Array {
  const halfDim = Math.floor(embeddingDim / 2);
  const scaled = Math.fround(w * 1000);
  const exponentStep = Math.fround(Math.log(10000) / (halfDim - 1));
  const embedding = new Float32Array(embeddingDim);
  for (let i = 0; i < halfDim; i++) {
    const angle = Math.fround(scaled * Math.fround(Math.exp(-i * exponentStep)));
    embedding[i] = Math.sin(angle);
    embedding[halfDim + i] = Math.cos(angle);
  }
  return embedding;
}
