import { f32, linspace } from './array-math.ts';

/** `((1 - ᾱ) / ᾱ) ** 0.5` over the training timesteps, in float32 like the torch expression in diffusers. */
export function trainingSigmas(alphasCumprod: Float32Array): Float32Array {
  return alphasCumprod.map((a) => Math.sqrt(f32(f32(1 - a) / a)));
}

/** `np.log` of a float32 array, which numpy keeps in float32. */
export function logSigmas(sigmas: Float32Array): Float32Array {
  return sigmas.map(Math.log);
}

/**
 * The Karras et al. (2022) schedule, ρ = 7, from `sigmaMax` down to `sigmaMin` in float64
 * (k-diffusion sampling.py `get_sigmas_karras`, copied into diffusers as `_convert_to_karras`).
 */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, n: number): number[] {
  const rho = 7;
  const minInvRho = sigmaMin ** (1 / rho);
  const maxInvRho = sigmaMax ** (1 / rho);
  return linspace(0, 1, n).map((ramp) => (maxInvRho + ramp * (minInvRho - maxInvRho)) ** rho);
}

/**
 * Diffusers' `_sigma_to_t`: the fractional training timestep whose sigma is `sigma`, interpolating linearly in log
 * space between the two neighbouring training sigmas. `logSigmas` ascends with the timestep.
 */
export function sigmaToT(sigma: number, logSigmas: Float32Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  // Last index whose log sigma is ≤ the target (numpy: `cumsum(dists >= 0).argmax()`), kept off the final entry.
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (logSigma - logSigmas[i] >= 0) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const lowLog = logSigmas[low];
  const highLog = logSigmas[low + 1];
  // `low - high` subtracts two float32 numpy scalars, so it is rounded to float32.
  const w = Math.min(Math.max((lowLog - logSigma) / f32(lowLog - highLog), 0), 1);
  return (1 - w) * low + w * (low + 1);
}

/** The `sigma_min` final sigma: the first training sigma, `((1 - ᾱ₀) / ᾱ₀) ** 0.5` in float32. */
export function firstTrainingSigma(alphasCumprod: Float32Array): number {
  return f32(Math.sqrt(f32(f32(1 - alphasCumprod[0]) / alphasCumprod[0])));
}
