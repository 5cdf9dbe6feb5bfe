import { expect } from 'vitest';
import type { RandomGenerator } from '../src/noise/random-generator.ts';
import { f32 } from '../src/schedulers/array-math.ts';
import type { Scheduler } from '../src/schedulers/scheduler.ts';

/**
 * Fixtures of diffusers' tests/schedulers/test_schedulers.py `SchedulerCommonTest`, for batch 4, 3 channels, 8×8.
 * Samples are flat in NCHW order, as the permuted torch tensors are laid out when flattened.
 */
const BATCH = 4;
const CHANNELS = 3;
const SIZE = 8;
export const NUM_ELEMENTS = BATCH * CHANNELS * SIZE * SIZE;

/**
 * `torch.arange(n)` (flipped for the noise) reshaped to (channels, height, width, batch), divided by n in float32 and
 * permuted to (batch, channels, height, width): element (b, c, h, w) takes arange entry ((c·8 + h)·8 + w)·4 + b.
 */
function deterministic(flip: boolean): Float32Array {
  const out = new Float32Array(NUM_ELEMENTS);
  for (let b = 0; b < BATCH; b++) {
    for (let c = 0; c < CHANNELS; c++) {
      for (let h = 0; h < SIZE; h++) {
        for (let w = 0; w < SIZE; w++) {
          const source = ((c * SIZE + h) * SIZE + w) * BATCH + b;
          const value = flip ? NUM_ELEMENTS - 1 - source : source;
          out[((b * CHANNELS + c) * SIZE + h) * SIZE + w] = value / NUM_ELEMENTS;
        }
      }
    }
  }
  return out;
}

/** `dummy_sample_deter`. */
export const dummySampleDeter = (): Float32Array => deterministic(false);
/** `dummy_noise_deter`. */
export const dummyNoiseDeter = (): Float32Array => deterministic(true);

/** `dummy_model`: `sample * t / (t + 1)` with `t` cast to the sample's float32. */
export function dummyModel(sample: Float32Array, timestep: number): Float32Array {
  const t = f32(timestep);
  const denominator = f32(t + 1);
  return sample.map((s) => f32(s * t) / denominator);
}

/** `sample * factor` in float32 (e.g. `dummy_sample_deter * scheduler.init_noise_sigma`). */
export const scaled = (sample: Float32Array, factor: number): Float32Array => sample.map((v) => v * f32(factor));

export const sumAbs = (values: Float32Array): number => values.reduce((sum, v) => sum + Math.abs(v), 0);
export const meanAbs = (values: Float32Array): number => sumAbs(values) / values.length;

/** Asserts `abs(result - expected) < tolerance` like the diffusers tests (a strict bound, not toBeCloseTo's rounding). */
export function expectWithin(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected), `got ${actual}, expected ${expected} ± ${tolerance}`).toBeLessThan(tolerance);
}

export interface LoopOptions {
  /** Call `scaleModelInput` before the model, as the Euler tests (and every pipeline) do; DDIM/DPM/LCM tests skip it. */
  scaleInput?: boolean;
  generator?: RandomGenerator;
  /** Run only `timesteps.slice(start)` (the `*_with_noise` tests). */
  start?: number;
}

/** The full denoising loop of the diffusers tests: model output, then `step`, over every timestep. */
export function runLoop(scheduler: Scheduler, initial: Float32Array, options: LoopOptions = {}): Float32Array {
  let sample = initial;
  for (const t of scheduler.timesteps.slice(options.start ?? 0)) {
    if (options.scaleInput) sample = scheduler.scaleModelInput(sample, t);
    const modelOutput = dummyModel(sample, t);
    sample = scheduler.step(modelOutput, t, sample, options.generator).prevSample;
  }
  return sample;
}
