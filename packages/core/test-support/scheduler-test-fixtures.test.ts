import { describe, expect, it } from 'vitest';
import { dummyModel, dummyNoiseDeter, dummySampleDeter } from './scheduler-test-fixtures.ts';

describe('diffusers test fixtures', () => {
  it('lays dummy_sample_deter and dummy_noise_deter out like the permuted torch tensors', () => {
    // torch: the flattened permute(3, 0, 1, 2) of arange(768).reshape(3, 8, 8, 4) / 768 (and of its flip).
    const sample = dummySampleDeter();
    expect(Array.from(sample.slice(0, 3))).toEqual([0, 0.0052083334885537624, 0.010416666977107525]);
    expect(Array.from(sample.slice(64, 67))).toEqual([0.3333333432674408, 0.3385416567325592, 0.34375]);
    expect(Array.from(sample.slice(192, 195))).toEqual([0.0013020833721384406, 0.0065104165114462376, 0.01171875]);
    const noise = dummyNoiseDeter();
    expect(Array.from(noise.slice(0, 2))).toEqual([0.9986979365348816, 0.9934895634651184]);
    expect(Array.from(noise.slice(200, 203))).toEqual([0.9557291865348816, 0.9505208134651184, 0.9453125]);
  });

  it('dummy_model is sample · t / (t + 1)', () => {
    expect(Array.from(dummyModel(Float32Array.of(2, 4), 3))).toEqual([1.5, 3]);
  });
});
