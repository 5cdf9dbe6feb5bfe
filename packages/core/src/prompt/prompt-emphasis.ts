/**
 * A1111's "Original" emphasis (`sd_emphasis.EmphasisOriginal.after_transformers`), in place on one chunk's encoded
 * `[tokens, width]` hidden states: each token's vector is multiplied by its weight, then the whole chunk by
 * `original mean / new mean` so that emphasis changes the direction of the conditioning rather than its overall
 * magnitude. A chunk whose weights are all 1 is left untouched (the rescale would be exactly 1).
 */
export function applyEmphasis(states: Float32Array, weights: Float32Array): void {
  if (weights.every((weight) => weight === 1)) return;
  const width = states.length / weights.length;
  const originalMean = mean(states);
  for (let token = 0; token < weights.length; token++) {
    const weight = weights[token];
    for (let i = token * width; i < (token + 1) * width; i++) states[i] *= weight;
  }
  const rescale = Math.fround(originalMean / mean(states));
  for (let i = 0; i < states.length; i++) states[i] *= rescale;
}

function mean(values: Float32Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}
