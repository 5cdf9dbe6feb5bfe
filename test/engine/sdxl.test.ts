import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, loadModel, type StableDiffusionModel } from '../../packages/core/src/index.ts';
import { unetConditioning } from '../../packages/core/src/pipeline/unet-conditioning.ts';
import { fixtureModel } from '../fixture-models.ts';

describe('generate with an SDXL model', () => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(fixtureModel('sdxl'));
  });
  afterAll(() => model.release());

  it('reads both text encoders, their penultimate layers, and the SDXL defaults', () => {
    expect(model.textEncoders.map((encoder) => encoder.contract.hiddenStatesOutput)).toEqual([
      'hidden_states.1',
      'hidden_states.1',
    ]);
    expect(model.textEncoders[1].contract.pooledOutput).toBe('text_embeds');
    expect(model.textEncoders[1].tokenizer.padToken).toBe('!');
    expect(model.forceZerosForEmptyPrompt).toBe(true);
    expect(model.family.defaults).toEqual({ steps: 30, guidance: 5 });
  });

  it('reads an earlier hidden state for clip skip 2, as diffusers clip_skip 1, and records it', async () => {
    const request = { prompt: 'a purple triangle', width: 64, height: 64, steps: 2, seed: 2 };
    const [plain, skipped] = await Promise.all([
      generate(model, request),
      generate(model, { ...request, clipSkip: 2 }),
    ]);
    expect(skipped.images[0].pixels).not.toEqual(plain.images[0].pixels);
    expect([plain.record.clipSkip, skipped.record.clipSkip]).toEqual([1, 2]);
    // Two layers after the embeddings: clip skip 2 reads hidden_states.0, and there is nothing before it.
    await expect(generate(model, { ...request, clipSkip: 3 })).rejects.toMatchObject({
      code: 'invalid_clip_skip',
      message: expect.stringMatching(/clip skip 3 is out of range for sdxl \(text_encoder\).*use 1–2/),
    });
  });

  it('uses zero embeddings for a missing negative prompt, unlike an explicit empty one', async () => {
    const request = { prompt: 'a purple triangle', width: 64, height: 64, steps: 2, seed: 2 };
    const [missing, empty, again] = await Promise.all([
      generate(model, request),
      generate(model, { ...request, negativePrompt: '' }),
      generate(model, request),
    ]);
    expect(missing.images[0].pixels).toEqual(again.images[0].pixels);
    expect(missing.images[0].pixels).not.toEqual(empty.images[0].pixels);
  });

  it("edits at the SDXL pipelines' default strengths: 0.3 image-to-image (StableDiffusionXLImg2ImgPipeline's), 1 inpainting", async () => {
    const raw = (channels: 1 | 3, value: (i: number) => number) =>
      sharp(
        Uint8Array.from({ length: 40 * 32 * channels }, (_, i) => value(i)),
        {
          raw: { width: 40, height: 32, channels },
        },
      )
        .png()
        .toBuffer();
    const image = await raw(3, (i) => (i * 37) % 256);
    const mask = await raw(1, (i) => (i % 40 < 20 ? 255 : 0));
    const request = { prompt: 'a purple triangle', image, steps: 4, seed: 2 };
    const [imageToImage, inpainting] = await Promise.all([
      generate(model, request),
      generate(model, { ...request, mask }),
    ]);
    expect([imageToImage.record.edit?.strength, inpainting.record.edit?.strength]).toEqual([0.3, 1]);
  });

  it('feeds time_ids (original size, crop 0 0, target size) and pooled text_embeds per UNet batch row', () => {
    const prompts = {
      hiddenStates: [new Float32Array(77 * 80).fill(1), new Float32Array(77 * 80).fill(2)],
      pooled: [new Float32Array(40).fill(3), new Float32Array(40).fill(4)],
      sequenceLength: 77,
    };
    const feeds = unetConditioning(model, prompts, { images: 2, guidance: 5, width: 64, height: 56 });
    expect(feeds.time_ids.dims).toEqual([4, 6]);
    expect(Array.from(feeds.time_ids.data as Float32Array)).toEqual([
      ...[56, 64, 0, 0, 56, 64],
      ...[56, 64, 0, 0, 56, 64],
      ...[56, 64, 0, 0, 56, 64],
      ...[56, 64, 0, 0, 56, 64],
    ]);
    expect(feeds.text_embeds.dims).toEqual([4, 40]);
    const rows = Array.from({ length: 4 }, (_, row) => (feeds.text_embeds.data as Float32Array)[row * 40]);
    expect(rows).toEqual([3, 3, 4, 4]);
    expect(feeds.encoder_hidden_states.dims).toEqual([4, 77, 80]);
  });
});
