/**
 * What a job costs, in whole credits. Compute grows with pixels × steps per image, so that is the unit:
 * an image costs `ceil(megapixels × steps × creditsPerMegapixelStep)`, at least `minimumCreditsPerImage`.
 * Credits are integers so balances never drift by rounding.
 */
export interface PriceTable {
  /** Credits per megapixel-step (one denoising step over 10⁶ pixels). Default 0.04: a 512² SD image at 25 steps is 1. */
  creditsPerMegapixelStep: number;
  /** The least an image costs. Default 1. */
  minimumCreditsPerImage: number;
}

export const DEFAULT_PRICE_TABLE: PriceTable = { creditsPerMegapixelStep: 0.04, minimumCreditsPerImage: 1 };

export interface JobSize {
  width: number;
  height: number;
  /**
   * Denoising steps that run: all of them for text-to-image, `floor(steps × strength)` (at least 1) for image-to-image
   * and inpainting (`denoisingSteps` in `@stipple/jobs`), so a job pays for the compute it uses.
   */
  steps: number;
  n: number;
}

/** The `usage` block every job carries from creation on. */
export interface Usage {
  images: number;
  /** width × height / 10⁶ × steps run × images. */
  megapixelSteps: number;
  /** Credits reserved (while the job runs) or charged (once it succeeded); 0 after a refund. */
  credits: number;
}

/** Megapixel-steps as reported: 6 decimals (1 pixel-step), so sums of floats show no noise like 25.231360000000006. */
export function roundMegapixelSteps(value: number): number {
  return Number(value.toFixed(6));
}

export function priceJob(size: JobSize, table: PriceTable = DEFAULT_PRICE_TABLE): Usage {
  const perImageMegapixelSteps = ((size.width * size.height) / 1e6) * size.steps;
  // Round before ceil so 0.04 × 25 × 0.262144 × … float noise never bills an extra credit.
  const perImage = Math.max(
    table.minimumCreditsPerImage,
    Math.ceil(Number((perImageMegapixelSteps * table.creditsPerMegapixelStep).toFixed(9))),
  );
  return {
    images: size.n,
    megapixelSteps: roundMegapixelSteps(perImageMegapixelSteps * size.n),
    credits: perImage * size.n,
  };
}

/**
 * The share of a job's usage its first `images` images make: every image of a job costs the same (`priceJob`), so
 * the share is exact in credits. Charged when some images were blocked and not stored (docs/SAFETY.md).
 */
export function imagesShare(usage: Usage, images: number): Usage {
  if (usage.images === 0) return usage;
  const kept = Math.min(Math.max(images, 0), usage.images);
  return {
    images: kept,
    megapixelSteps: roundMegapixelSteps((usage.megapixelSteps * kept) / usage.images),
    credits: (usage.credits / usage.images) * kept,
  };
}
