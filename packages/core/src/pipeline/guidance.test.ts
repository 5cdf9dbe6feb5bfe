import { describe, expect, it } from 'vitest';
import { createGenerator } from '../noise/torch-generator.ts';
import { applyClassifierFreeGuidance, guidanceScaleEmbedding, rescaleGuidance } from './guidance.ts';

describe('applyClassifierFreeGuidance', () => {
  it('moves from the unconditional prediction toward the conditional one by the scale', () => {
    const batched = new Float32Array([1, 2, /* conditional: */ 3, 1]);
    expect(Array.from(applyClassifierFreeGuidance(batched, 7.5))).toEqual([1 + 7.5 * 2, 2 - 7.5]);
  });
});

describe('rescaleGuidance', () => {
  it('matches diffusers rescale_noise_cfg per image (torch reference values)', () => {
    // torch.manual_seed(0); cond = torch.randn(2,4,2,2); uncond = torch.randn(2,4,2,2);
    // cfg = uncond + 7.5 * (cond - uncond); out = rescale_noise_cfg(cfg, cond, guidance_rescale=0.7)
    const generator = createGenerator(0);
    const conditional = generator.randn(32);
    const unconditional = generator.randn(32);
    const batched = new Float32Array([...unconditional, ...conditional]);
    const guided = applyClassifierFreeGuidance(batched, 7.5);
    rescaleGuidance(guided, conditional, 2, 0.7);
    const picked = [0, 5, 16, 31].map((i) => guided[i]);
    const expected = [-1.66321, 1.66466, -2.08978, -0.99336];
    picked.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i], 4);
    });
  });
});

describe('guidanceScaleEmbedding', () => {
  it('matches diffusers get_guidance_scale_embedding for w = 7.5, 256 wide', () => {
    const embedding = guidanceScaleEmbedding(7.5, 256);
    const picked = [0, 1, 5, 64, 127, 128, 129, 200, 255].map((i) => embedding[i]);
    const expected = [-0.851236, 0.842131, -0.673128, -0.072438, 0.681639, -0.524783, 0.539273, -0.939037, 0.731689];
    picked.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i], 4);
    });
  });

  it('zero-pads an odd width', () => {
    const embedding = guidanceScaleEmbedding(0.5, 7);
    const expected = [-0.467772, -0.958924, 0.049979, -0.883849, 0.283662, 0.99875, 0];
    Array.from(embedding).forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i], 5);
    });
  });
});
