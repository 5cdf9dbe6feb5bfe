import { f32, weightedSum } from './array-math.ts';

export type DpmSolverAlgorithm = 'dpmsolver++' | 'dpmsolver';
export type DpmSolverType = 'midpoint' | 'heun';

/** α_t, σ_t and λ_t = ln α_t − ln σ_t at one sigma of the schedule (float32, like the 0-dim tensors in diffusers). */
export interface SolverPoint {
  alpha: number;
  sigma: number;
  lambda: number;
}

/** diffusers `_sigma_to_alpha_sigma_t` plus the log-SNR λ: α = 1/√(σ²+1), σ_t = σ·α. */
export function solverPoint(sigma: number): SolverPoint {
  const alpha = f32(1 / f32(Math.sqrt(f32(f32(sigma * sigma) + 1))));
  const sigmaT = f32(sigma * alpha);
  return { alpha, sigma: sigmaT, lambda: f32(f32(Math.log(alpha)) - f32(Math.log(sigmaT))) };
}

/** `(1/r) · (a − b)`, the divided difference of two model outputs, in float32. */
function divided(a: Float32Array, b: Float32Array, r: number): Float32Array {
  const inverse = f32(1 / r);
  return a.map((v, i) => inverse * f32(v - b[i]));
}

/**
 * One multistep DPM-Solver update from scheduling_dpmsolver_multistep.py (`dpm_solver_first_order_update`,
 * `multistep_dpm_solver_second_order_update`, `multistep_dpm_solver_third_order_update`), noise-free algorithms only.
 * `points` are [target t, s0, s1, s2] and `outputs` the converted model outputs [m0 (newest), m1, m2]; both only need
 * as many entries as the order uses. `dpmsolver++` outputs are x₀ predictions, `dpmsolver` ones are ε.
 */
export function dpmSolverUpdate(
  algorithm: DpmSolverAlgorithm,
  solverType: DpmSolverType,
  order: 1 | 2 | 3,
  points: readonly SolverPoint[],
  outputs: readonly Float32Array[],
  sample: Float32Array,
): Float32Array {
  const [t, s0, s1, s2] = points;
  const [m0, m1, m2] = outputs;
  const plus = algorithm === 'dpmsolver++';
  const h = f32(t.lambda - s0.lambda);
  // dpmsolver++ works with x₀ and e^{-h}; dpmsolver with ε and e^{h}, scaled by α_t or σ_t respectively.
  const scale = plus ? t.alpha : t.sigma;
  const expm1 = f32(f32(Math.exp(plus ? -h : h)) - 1);
  const ratio = plus ? f32(t.sigma / s0.sigma) : f32(t.alpha / s0.alpha);
  const c0 = f32(scale * expm1);
  if (order === 1) return weightedSum([ratio, sample], [-c0, m0]);

  const r0 = f32(f32(s0.lambda - s1.lambda) / h);
  if (order === 2) {
    const d1 = divided(m0, m1, r0);
    if (solverType === 'midpoint') return weightedSum([ratio, sample], [-c0, m0], [-f32(0.5 * c0), d1]);
    const c1 = plus ? f32(scale * f32(f32(expm1 / h) + 1)) : -f32(scale * f32(f32(expm1 / h) - 1));
    return weightedSum([ratio, sample], [-c0, m0], [c1, d1]);
  }

  const r1 = f32(f32(s1.lambda - s2.lambda) / h);
  const d10 = divided(m0, m1, r0);
  const d11 = divided(m1, m2, r1);
  const k1 = f32(r0 / f32(r0 + r1));
  const k2 = f32(1 / f32(r0 + r1));
  const d1 = d10.map((v, i) => v + f32(k1 * f32(v - d11[i])));
  const d2 = d10.map((v, i) => k2 * f32(v - d11[i]));
  const hSquared = f32(h * h);
  if (plus) {
    const c1 = f32(scale * f32(f32(expm1 / h) + 1));
    const c2 = f32(scale * f32(f32(f32(expm1 + h) / hSquared) - 0.5));
    return weightedSum([ratio, sample], [-c0, m0], [c1, d1], [-c2, d2]);
  }
  const c1 = f32(scale * f32(f32(expm1 / h) - 1));
  const c2 = f32(scale * f32(f32(f32(expm1 - h) / hSquared) - 0.5));
  return weightedSum([ratio, sample], [-c0, m0], [-c1, d1], [-c2, d2]);
}
