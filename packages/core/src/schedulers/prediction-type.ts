import { f32, weightedSum } from './array-math.ts';

/** What the UNet was trained to predict (diffusers `prediction_type`). */
export const PREDICTION_TYPES = ['epsilon', 'v_prediction', 'sample'] as const;
export type PredictionType = (typeof PREDICTION_TYPES)[number];

export interface AlphaPrediction {
  /** x₀, the clean sample the model output implies. */
  predOriginalSample: Float32Array;
  /** ε, the noise the model output implies. */
  predEpsilon: Float32Array;
}

/**
 * Converts a model output at cumulative alpha `ᾱ_t` into x₀ and ε for the `x_t = √ᾱ·x₀ + √(1-ᾱ)·ε` parameterisation
 * (scheduling_ddim.py `step`, part 3; scheduling_lcm.py uses the same x₀ formulas), in float32 like torch.
 */
export function alphaPrediction(
  type: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  alphaProdT: number,
): AlphaPrediction {
  const sqrtAlpha = f32(Math.sqrt(alphaProdT));
  const sqrtBeta = f32(Math.sqrt(f32(1 - alphaProdT)));
  switch (type) {
    case 'epsilon':
      return {
        predOriginalSample: sample.map((s, i) => f32(s - f32(sqrtBeta * modelOutput[i])) / sqrtAlpha),
        predEpsilon: modelOutput,
      };
    case 'sample':
      return {
        predOriginalSample: modelOutput.slice(),
        predEpsilon: sample.map((s, i) => f32(s - f32(sqrtAlpha * modelOutput[i])) / sqrtBeta),
      };
    case 'v_prediction':
      return {
        predOriginalSample: weightedSum([sqrtAlpha, sample], [-sqrtBeta, modelOutput]),
        predEpsilon: weightedSum([sqrtAlpha, modelOutput], [sqrtBeta, sample]),
      };
  }
}

/** `tensor.clamp(-range, range)` (the `clip_sample` option), into a new array. */
export function clampSample(values: Float32Array, range: number): Float32Array {
  const bound = f32(range);
  return values.map((v) => Math.min(Math.max(v, -bound), bound));
}

/** Forward diffusion to cumulative alpha `ᾱ`: `√ᾱ·x₀ + √(1-ᾱ)·ε` (diffusers DDIM/LCM `add_noise`), in float32. */
export function noiseToAlpha(originalSamples: Float32Array, noise: Float32Array, alphaProd: number): Float32Array {
  return weightedSum([f32(Math.sqrt(alphaProd)), originalSamples], [f32(Math.sqrt(f32(1 - alphaProd))), noise]);
}
