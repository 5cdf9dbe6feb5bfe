import { MAX_SEED } from '@stipple/jobs';
import { ValidationError } from '../errors.ts';
import { MersenneTwister } from './mersenne-twister.ts';
import type { RandomGenerator } from './random-generator.ts';

const FLOAT_MANTISSA_SCALE = 2 ** -24;
const DOUBLE_MANTISSA_SCALE = 2 ** -53;
const BLOCK_SIZE = 16;
const f32 = Math.fround;

/**
 * Reproduces `torch.Generator().manual_seed(seed)` followed by `torch.randn(n)` on the CPU, so a seed gives the same
 * initial latents as diffusers with a CPU generator. Two code paths, as in ATen
 * (aten/src/ATen/native/cpu/DistributionTemplates.h `normal_kernel`):
 * - n ≥ 16: `normal_fill` — n float uniforms, Box–Muller over blocks of 16 pairing element j with j + 8; a ragged tail
 *   draws 16 fresh uniforms for the last 16 slots.
 * - n < 16: one `at::normal_distribution<double>` draw per element, from two 53-bit uniforms, caching the sine half
 *   for the next scalar draw.
 */
class TorchGenerator implements RandomGenerator {
  private readonly engine: MersenneTwister;
  private cachedNormal: number | undefined;

  constructor(readonly seed: number) {
    this.engine = new MersenneTwister(seed);
  }

  randn(n: number): Float32Array {
    return n >= BLOCK_SIZE ? this.normalFill(n) : this.scalarNormals(n);
  }

  private uniformFloat(): number {
    return (this.engine.nextUint32() & 0xffffff) * FLOAT_MANTISSA_SCALE;
  }

  /** `random64()` takes two 32-bit outputs, the first as the high word; a double keeps its low 53 bits. */
  private uniformDouble(): number {
    const high = this.engine.nextUint32() & 0x1fffff;
    const low = this.engine.nextUint32();
    return (high * 2 ** 32 + low) * DOUBLE_MANTISSA_SCALE;
  }

  private normalFill(n: number): Float32Array {
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = this.uniformFloat();
    for (let i = 0; i + BLOCK_SIZE <= n; i += BLOCK_SIZE) boxMullerBlock(data, i);
    if (n % BLOCK_SIZE !== 0) {
      const tail = n - BLOCK_SIZE;
      for (let i = 0; i < BLOCK_SIZE; i++) data[tail + i] = this.uniformFloat();
      boxMullerBlock(data, tail);
    }
    return data;
  }

  private scalarNormals(n: number): Float32Array {
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (this.cachedNormal !== undefined) {
        data[i] = this.cachedNormal;
        this.cachedNormal = undefined;
        continue;
      }
      const u1 = this.uniformDouble();
      const u2 = this.uniformDouble();
      const radius = Math.sqrt(-2 * Math.log1p(-u2));
      const theta = 2 * Math.PI * u1;
      this.cachedNormal = radius * Math.sin(theta);
      data[i] = radius * Math.cos(theta);
    }
    return data;
  }
}

/** `normal_fill_16` in float32 arithmetic: each operation rounded to float as the C++ does. */
function boxMullerBlock(data: Float32Array, offset: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f32(1 - data[offset + j]);
    const u2 = data[offset + j + 8];
    const radius = f32(Math.sqrt(f32(-2 * f32(Math.log(u1)))));
    const theta = f32(2 * Math.PI * u2);
    data[offset + j] = f32(radius * f32(Math.cos(theta)));
    data[offset + j + 8] = f32(radius * f32(Math.sin(theta)));
  }
}

/** Creates a generator seeded like `torch.Generator('cpu').manual_seed(seed)`. */
export function createGenerator(seed: number): RandomGenerator {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new ValidationError('invalid_seed', `seed ${seed} is not allowed; use an integer from 0 to ${MAX_SEED}`, {
      value: seed,
      min: 0,
      max: MAX_SEED,
    });
  }
  return new TorchGenerator(seed);
}

/** Draws a fresh seed for a request that did not give one, so the result can still be reproduced. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
