import { denoisingSteps } from '@stipple/jobs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICE_TABLE, imagesShare, priceJob, roundMegapixelSteps } from './price-table.ts';

describe('priceJob', () => {
  it('charges per image by megapixel-steps, in whole credits, with a floor', () => {
    expect(priceJob({ width: 512, height: 512, steps: 25, n: 1 })).toEqual({
      images: 1,
      megapixelSteps: 6.5536,
      credits: 1,
    });
    expect(priceJob({ width: 1024, height: 1024, steps: 30, n: 2 })).toEqual({
      images: 2,
      megapixelSteps: 62.91456,
      credits: 4, // ceil(1.048576 × 30 × 0.04 = 1.258) = 2 per image
    });
    expect(priceJob({ width: 64, height: 64, steps: 20, n: 3 })).toEqual({
      images: 3,
      megapixelSteps: 0.24576,
      credits: 3,
    });
  });

  it('prices an image job by the steps that run: strength 0.5 costs what half the steps cost', () => {
    const size = { width: 1024, height: 1024, n: 2 };
    const half = priceJob({ ...size, steps: denoisingSteps(30, 0.5) });
    expect(half).toEqual(priceJob({ ...size, steps: 15 }));
    expect(half.credits).toBe(2); // ceil(1.048576 × 15 × 0.04 = 0.63) = 1 per image
    expect(priceJob({ ...size, steps: denoisingSteps(30, undefined) }).credits).toBe(4);
  });

  it('follows the table it is given', () => {
    const table = { creditsPerMegapixelStep: 1, minimumCreditsPerImage: 0 };
    expect(priceJob({ width: 1000, height: 1000, steps: 3, n: 1 }, table).credits).toBe(3);
    expect(
      priceJob({ width: 1000, height: 1000, steps: 3, n: 1 }, { ...DEFAULT_PRICE_TABLE, minimumCreditsPerImage: 5 })
        .credits,
    ).toBe(5);
  });
});

describe('roundMegapixelSteps', () => {
  it('reports a sum of jobs without float noise', () => {
    const sum = [6.5536, 6.5536, 6.5536, 5.56864].reduce((total, value) => total + value, 0);
    expect(String(sum)).toBe('25.229440000000004');
    expect(roundMegapixelSteps(sum)).toBe(25.22944);
  });
});

describe('imagesShare', () => {
  it("charges the stored images' share of a job exactly, per image as priced", () => {
    const usage = priceJob({ width: 1024, height: 1024, steps: 30, n: 3 });
    expect(usage.credits).toBe(6);
    expect(imagesShare(usage, 2)).toEqual({ images: 2, megapixelSteps: 62.91456, credits: 4 });
    expect(imagesShare(usage, 0)).toEqual({ images: 0, megapixelSteps: 0, credits: 0 });
    expect(imagesShare(usage, 3)).toEqual(usage);
  });

  it('never charges more images than the job was priced for, nor fewer than none', () => {
    const usage = priceJob({ width: 64, height: 64, steps: 20, n: 2 });
    expect(imagesShare(usage, 5)).toEqual(usage);
    expect(imagesShare(usage, -1).credits).toBe(0);
  });
});
