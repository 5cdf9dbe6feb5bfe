import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatA1111Parameters,
  type GenerationRequest,
  generate,
  generateBatch,
  generationBatchKey,
  loadModel,
  type StableDiffusionModel,
  ValidationError,
} from '../../packages/core/src/index.ts';
import { rejection } from '../../packages/core/test-support/rejection.ts';
import { fixtureModel } from '../fixture-models.ts';

/** A width × height PNG of a diagonal gradient with a red square: enough structure to notice changes. */
function scene(width: number, height: number, shift = 0): Promise<Buffer> {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inSquare = x > width / 4 && x < width / 2 && y > height / 4 && y < height / 2;
      pixels.set(inSquare ? [220, 30, 30] : [(x * 5 + shift) % 256, (y * 6) % 256, 120], i);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** A mask that repaints the rectangle [left, left + w) × [top, top + h). */
function boxMask(width: number, height: number, box: { left: number; top: number; w: number; h: number }) {
  const pixels = new Uint8Array(width * height);
  for (let y = box.top; y < box.top + box.h; y++) pixels.fill(255, y * width + box.left, y * width + box.left + box.w);
  return sharp(pixels, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('image-to-image and inpainting with a 4-channel UNet (sd15 fixture)', () => {
  let model: StableDiffusionModel;
  let image: Buffer;
  let mask: Buffer;
  const base = { prompt: 'a red fox', steps: 4, scheduler: 'euler-ancestral', guidance: 6, seed: 3 };
  beforeAll(async () => {
    model = await loadModel(fixtureModel('sd15-int32'));
    image = await scene(48, 40);
    mask = await boxMask(48, 40, { left: 8, top: 8, w: 16, h: 16 });
  });
  afterAll(() => model.release());

  it("sizes the output to the image and records the input's digest and the strength", async () => {
    const odd = await scene(50, 41);
    const { images, record } = await generate(model, { ...base, image: odd, strength: 0.5 });
    expect(images.map(({ width, height }) => [width, height])).toEqual([[48, 40]]);
    expect(record.edit).toEqual({ imageSha256: sha256(odd), strength: 0.5 });
    expect(record.timings.vaeEncoderMs).toBeGreaterThan(0);
    const parameters = formatA1111Parameters(record, record.seeds[0]);
    expect(parameters).toContain('Model: sd15-int32, Denoising strength: 0.5, Version:');
  });

  it('takes another size by covering and cropping, and defaults the strength to 0.8', async () => {
    const { images, record } = await generate(model, { ...base, image, width: 32, height: 32 });
    expect(images.map(({ width, height }) => [width, height])).toEqual([[32, 32]]);
    expect(record.edit?.strength).toBe(0.8);
  });

  it('gives image i of a batch what seed + i gives alone, and the same image for the same seed', async () => {
    const request: GenerationRequest = { ...base, image, strength: 0.75, n: 2 };
    const [batch, again, second] = await Promise.all([
      generate(model, request),
      generate(model, request),
      generate(model, { ...request, n: 1, seed: base.seed + 1 }),
    ]);
    expect(again.images[0].pixels).toEqual(batch.images[0].pixels);
    expect(second.images[0].pixels).toEqual(batch.images[1].pixels);
    expect(batch.images[1].pixels).not.toEqual(batch.images[0].pixels);
  });

  it('keeps the unmasked pixels exactly by default, and records the mask', async () => {
    const input = await sharp(image).raw().toBuffer();
    const { images, record } = await generate(model, { ...base, image, mask, maskBlur: 2 });
    const pixels = images[0].pixels;
    let changedInside = 0;
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 48; x++) {
        const i = (y * 48 + x) * 3;
        const far = x < 4 || x >= 28 || y < 4 || y >= 28; // beyond the box and its blur
        if (far) expect([pixels[i], pixels[i + 1], pixels[i + 2]]).toEqual([input[i], input[i + 1], input[i + 2]]);
        const inside = x >= 12 && x < 20 && y >= 12 && y < 20;
        if (inside && Math.abs(pixels[i] - input[i]) > 10) changedInside++;
      }
    }
    expect(changedInside).toBeGreaterThan(32);
    expect(record.edit).toEqual({
      imageSha256: sha256(image),
      maskSha256: sha256(mask),
      strength: 1,
      maskBlur: 2,
      preserveUnmasked: true,
    });
    expect(formatA1111Parameters(record, 3)).toContain('Denoising strength: 1, Mask blur: 2, Version:');
  });

  it('lets the unmasked pixels go through the VAE with preserveUnmasked false', async () => {
    const input = await sharp(image).raw().toBuffer();
    const { images } = await generate(model, { ...base, image, mask, preserveUnmasked: false });
    // The random-weight VAE does not reproduce the input: the corner pixel is not the input's.
    expect(Array.from(images[0].pixels.subarray(0, 3))).not.toEqual(Array.from(input.subarray(0, 3)));
  });

  it('denoises requests with different images and masks in one batch, each as alone', async () => {
    const other = await scene(48, 40, 100);
    const otherMask = await boxMask(48, 40, { left: 24, top: 16, w: 16, h: 16 });
    const requests: GenerationRequest[] = [
      { ...base, image, mask, strength: 0.75 },
      { ...base, image: other, mask: otherMask, strength: 0.75, seed: 9 },
      { ...base, image: other, strength: 0.75, prompt: 'a green square' },
    ];
    const keys = requests.map((request) => generationBatchKey(model, request));
    expect(new Set(keys).size).toBe(2); // both 40×48 masks share; the image-sized img2img names its image
    const withSize = requests.map((request) => ({ ...request, width: 48, height: 40 }));
    expect(new Set(withSize.map((request) => generationBatchKey(model, request))).size).toBe(1);
    const outcomes = await generateBatch(
      model,
      withSize.map((request) => ({ request })),
    );
    for (const [i, outcome] of outcomes.entries()) {
      if (!outcome.ok) throw outcome.error;
      const alone = await generate(model, withSize[i]);
      expect(outcome.result.images[0].pixels).toEqual(alone.images[0].pixels);
    }
  });

  it('keys requests that start at different points of the schedule apart', () => {
    const key = (strength: number) => generationBatchKey(model, { ...base, image, width: 48, height: 40, strength });
    expect(key(0.5)).not.toBe(key(0.75));
    expect(key(1)).toBe(generationBatchKey(model, { ...base, width: 48, height: 40 }));
  });

  it.each([
    ['a mask of another size', { mask: 'small' }, 'mask_size_mismatch', 'mask is 16×16 but image is 48×40'],
    ['a mask without an image', { image: undefined }, 'invalid_mask', 'mask needs image'],
    [
      'a strength above 1',
      { strength: 1.5 },
      'invalid_strength',
      'strength 1.5 is out of range; use a number from 0 to 1',
    ],
    ['a mask blur above 64', { maskBlur: 65 }, 'invalid_mask_blur', 'mask_blur 65 is out of range'],
    ['an unreadable image', { image: 'garbage' }, 'invalid_image', 'image is not a readable image'],
  ])('refuses %s', async (_, change, code, message) => {
    const small = await boxMask(16, 16, { left: 0, top: 0, w: 8, h: 8 });
    const request: GenerationRequest = { ...base, image, mask };
    Object.assign(request, change);
    if (request.mask === ('small' as never)) request.mask = small;
    if (request.image === ('garbage' as never)) request.image = new TextEncoder().encode('garbage');
    const error = await rejection(generate(model, request), ValidationError);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });
});

describe('inpainting with a 9-channel inpainting UNet (sd15-inpainting fixture)', () => {
  let model: StableDiffusionModel;
  let image: Buffer;
  let mask: Buffer;
  const base = { prompt: 'a red fox', steps: 4, guidance: 6, seed: 21, preserveUnmasked: false };
  beforeAll(async () => {
    model = await loadModel(fixtureModel('sd15-inpainting'));
    image = await scene(48, 40);
    mask = await boxMask(48, 40, { left: 8, top: 8, w: 16, h: 16 });
  });
  afterAll(() => model.release());

  it('exposes the inpainting UNet', () => {
    expect(model.unet).toMatchObject({ inputChannels: 9, latentChannels: 4, inpainting: true });
  });

  it('refuses text-to-image and image-to-image: the UNet needs a mask', async () => {
    for (const request of [{ prompt: 'x' }, { prompt: 'x', image }]) {
      const error = await rejection(generate(model, request), ValidationError);
      expect(error.code).toBe('mask_required');
      expect(error.message).toBe(
        'model sd15-inpainting has an inpainting UNet (9 input channels: latents, mask, masked image); send image and mask, or use a text-to-image model',
      );
    }
  });

  it('samples the latent distribution per image: image i of a batch is what seed + i gives alone', async () => {
    const [batch, second] = await Promise.all([
      generate(model, { ...base, image, mask, strength: 0.75, n: 2 }),
      generate(model, { ...base, image, mask, strength: 0.75, seed: base.seed + 1 }),
    ]);
    expect(second.images[0].pixels).toEqual(batch.images[1].pixels);
    expect(batch.images[1].pixels).not.toEqual(batch.images[0].pixels);
  });

  it('depends on the mask: another mask gives another image', async () => {
    const otherMask = await boxMask(48, 40, { left: 24, top: 16, w: 16, h: 16 });
    const [first, other] = await Promise.all([
      generate(model, { ...base, image, mask }),
      generate(model, { ...base, image, mask: otherMask }),
    ]);
    expect(other.images[0].pixels).not.toEqual(first.images[0].pixels);
  });
});

describe('image-to-image on a model without a VAE encoder', () => {
  it('refuses the request, naming what is missing', async () => {
    const model = await loadModel(fixtureModel('rank0-timestep'));
    try {
      const error = await rejection(generate(model, { prompt: 'x', image: await scene(16, 16) }), ValidationError);
      expect(error.code).toBe('image_unsupported');
      expect(error.message).toBe(
        'model rank0-timestep has no VAE encoder (vae_encoder/model.onnx), which image-to-image and inpainting need; export the model with its VAE encoder',
      );
    } finally {
      await model.release();
    }
  });
});
