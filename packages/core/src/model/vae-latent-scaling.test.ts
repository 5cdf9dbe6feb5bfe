import { describe, expect, it } from 'vitest';
import { ModelError } from '../errors.ts';
import { readVaeLatentScaling, scaleLatents, unscaleLatents } from './vae-latent-scaling.ts';

const PATH = 'vae_decoder/config.json';

describe('readVaeLatentScaling', () => {
  it("takes diffusers' defaults for a config without the keys", () => {
    expect(readVaeLatentScaling(undefined, 4, PATH)).toEqual({
      scalingFactor: 0.18215,
      shiftFactor: 0,
      channelStatistics: undefined,
    });
  });

  it('reads shift_factor, and latents_mean/std only when both are set', () => {
    expect(readVaeLatentScaling({ scaling_factor: 0.3611, shift_factor: 0.1159 }, 16, PATH)).toMatchObject({
      scalingFactor: 0.3611,
      shiftFactor: 0.1159,
    });
    expect(readVaeLatentScaling({ latents_mean: [1, 2], latents_std: null }, 2, PATH).channelStatistics).toBe(
      undefined,
    );
  });

  it('names the file and key of statistics that do not match the latent channels', () => {
    const read = () => readVaeLatentScaling({ latents_mean: [1, 2, 3], latents_std: [1, 1, 1, 1] }, 4, PATH);
    expect(read).toThrow(ModelError);
    expect(read).toThrow(`${PATH} "latents_mean" must list 4 finite numbers (one per latent channel), found [1,2,3]`);
  });
});

describe('unscaleLatents', () => {
  it('divides by scaling_factor and adds shift_factor (SD3, Flux)', () => {
    const scaling = { scalingFactor: 0.5, shiftFactor: 0.25, channelStatistics: undefined };
    // 1 / 0.5 + 0.25 = 2.25; -2 / 0.5 + 0.25 = -3.75; 0 / 0.5 + 0.25 = 0.25
    expect(Array.from(unscaleLatents(new Float32Array([1, -2, 0]), 1, scaling))).toEqual([2.25, -3.75, 0.25]);
  });

  it('applies latents_mean and latents_std per channel, ignoring the shift (Playground v2.5)', () => {
    const scaling = { scalingFactor: 0.5, shiftFactor: 9, channelStatistics: { mean: [1, -1], std: [2, 0.5] } };
    // Two channels of two cells: channel 0 → x · 2 / 0.5 + 1, channel 1 → x · 0.5 / 0.5 − 1.
    const latents = new Float32Array([1, 0.5, 2, -4]);
    expect(Array.from(unscaleLatents(latents, 2, scaling))).toEqual([5, 3, 1, -5]);
  });
});

describe('scaleLatents', () => {
  it('multiplies by scaling_factor (SD 1.x/2.x/XL)', () => {
    const scaling = { scalingFactor: 0.5, shiftFactor: 0, channelStatistics: undefined };
    expect(Array.from(scaleLatents(new Float32Array([1, -2, 0]), 1, scaling))).toEqual([0.5, -1, 0]);
  });

  it('subtracts shift_factor before scaling (SD3, Flux)', () => {
    const scaling = { scalingFactor: 0.5, shiftFactor: 0.25, channelStatistics: undefined };
    // (2.25 - 0.25) · 0.5 = 1; (-3.75 - 0.25) · 0.5 = -2
    expect(Array.from(scaleLatents(new Float32Array([2.25, -3.75]), 1, scaling))).toEqual([1, -2]);
  });

  it('undoes unscaleLatents with channel statistics, per channel', () => {
    const scaling = { scalingFactor: 0.5, shiftFactor: 0, channelStatistics: { mean: [1, -1], std: [2, 4] } };
    const latents = new Float32Array([0.5, -1, 2, 0.25]);
    const roundTrip = scaleLatents(unscaleLatents(latents, 2, scaling), 2, scaling);
    expect(Array.from(roundTrip)).toEqual(Array.from(latents));
    // channel 1: (x - (-1)) · 0.5 / 4
    expect(scaleLatents(new Float32Array([0, 0, 7, -1]), 2, scaling)[2]).toBe(1);
  });
});
