/**
 * The few numpy and torch array constructors the diffusers schedulers use, reproduced operation for operation so that
 * timesteps and sigmas come out bit-identical (float64 like numpy unless a function says float32).
 */

/** Rounds to float32, the precision of torch float32 tensors (0-dim ones included). */
export const f32 = Math.fround;

/** `np.linspace(start, stop, num, endpoint)` in float64 (numpy/core/function_base.py: `arange * step + start`). */
export function linspace(start: number, stop: number, num: number, endpoint = true): number[] {
  const div = endpoint ? num - 1 : num;
  const delta = stop - start;
  const step = div > 0 ? delta / div : Number.NaN;
  const values = Array.from({ length: num }, (_, i) => {
    if (div <= 0) return i * delta + start;
    return step === 0 ? (i / div) * delta + start : i * step + start;
  });
  if (endpoint && num > 1) values[num - 1] = stop;
  return values;
}

/**
 * `np.arange(start, stop, step)` for floats: numpy sizes it as `ceil((stop - start) / step)`, stores `start` and
 * `start + step`, then fills `start + i * (second - start)` (`DOUBLE_fill`), so some step ratios yield one extra element (diffusers' trailing spacing inherits
 * this, e.g. 62 timesteps for 61 steps out of 1000).
 */
export function arange(start: number, stop: number, step: number): number[] {
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const delta = start + step - start;
  return Array.from({ length }, (_, i) => {
    if (i < 2) return i === 0 ? start : start + step;
    return start + i * delta;
  });
}

/** `np.round` / `np.rint`: round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `np.interp(x, np.arange(fp.length), fp)` in float64 (numpy/core/src/multiarray/compiled_base.c `arr_interp`). */
export function interpAtIndex(x: number, fp: ArrayLike<number>): number {
  const last = fp.length - 1;
  if (x <= 0) return fp[0];
  if (x >= last) return fp[last];
  const j = Math.floor(x);
  if (x === j) return fp[j];
  const slope = fp[j + 1] - fp[j];
  return slope * (x - j) + fp[j];
}

/**
 * `torch.linspace(start, end, steps, dtype=torch.float32)` on the CPU (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp
 * `linspace_kernel`): float32 arithmetic, the first half counted up from `start`, the second half down from `end`.
 */
export function torchLinspaceFloat32(start: number, end: number, steps: number): Float32Array {
  const from = f32(start);
  const to = f32(end);
  const step = steps > 1 ? f32(f32(to - from) / (steps - 1)) : 0;
  const halfway = Math.floor(steps / 2);
  const out = new Float32Array(steps);
  for (let i = 0; i < steps; i++) {
    out[i] = i < halfway ? from + f32(step * i) : to - f32(step * (steps - i - 1));
  }
  return out;
}

/**
 * `torch.cumprod` of a float32 tensor on the CPU: ATen accumulates in double (`acc_type<float, false>`) and rounds
 * each partial product to float32.
 */
export function cumprodFloat32(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  let product = 1;
  for (let i = 0; i < values.length; i++) {
    product *= values[i];
    out[i] = product;
  }
  return out;
}

export type Term = readonly [coefficient: number, values: Float32Array];

/**
 * `c0 * a0 + c1 * a1 + …` over float32 tensors, evaluated left to right with float32 rounding after every product and
 * every sum, exactly as torch evaluates the same Python expression (coefficients must already be float32 values).
 */
export function weightedSum(...terms: Term[]): Float32Array {
  const [[c0, a0], ...rest] = terms;
  const out = new Float32Array(a0.length);
  for (let i = 0; i < out.length; i++) out[i] = c0 * a0[i];
  for (const [c, a] of rest) {
    for (let i = 0; i < out.length; i++) out[i] += f32(c * a[i]);
  }
  return out;
}
