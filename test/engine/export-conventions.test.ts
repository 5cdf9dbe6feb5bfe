import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generate,
  loadModel,
  type StableDiffusionModel,
  type Tensor,
  ValidationError,
} from '../../packages/core/src/index.ts';
import { fixtureModel } from '../fixture-models.ts';

// Export conventions of real models, each on a tiny fixture that tools/forge exports that way (lcm-lora,
// tokenizer-json, sdxl-refiner), or on a fixture copied to a temp folder and edited the way such exports differ where
// the difference is one config key. docs/MODELS.md, "Export conventions", names these tests.

const copies: string[] = [];

afterEach(async () => {
  await Promise.all(copies.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temp copy of fixture `variant`, with each JSON file in `edits` changed by its function. */
async function editedCopy(
  variant: string,
  edits: Record<string, (json: Record<string, unknown>) => Record<string, unknown>>,
): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'stipple-conventions-'));
  copies.push(root);
  const dir = join(root, variant);
  await cp(fixtureModel(variant), dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const path = join(dir, file);
    await writeFile(path, JSON.stringify(edit(JSON.parse(await readFile(path, 'utf8')))));
  }
  return dir;
}

/** The batch size of every UNet call the model makes from now on: 1 per image without CFG, 2 with it. */
function countUnetBatches(model: StableDiffusionModel): number[] {
  const batches: number[] = [];
  const { session } = model.unet;
  const run = session.run.bind(session);
  session.run = (inputs) => {
    batches.push(inputs.sample.dims[0]);
    return run(inputs);
  };
  return batches;
}

/** Every UNet call's inputs from now on. */
function recordUnetFeeds(model: StableDiffusionModel): Record<string, Tensor>[] {
  const feeds: Record<string, Tensor>[] = [];
  const { session } = model.unet;
  const run = session.run.bind(session);
  session.run = (inputs) => {
    feeds.push(inputs);
    return run(inputs);
  };
  return feeds;
}

describe('tokenizer model_max_length', () => {
  it("loads transformers' unset 1e30 as the text encoder's max_position_embeddings", async () => {
    const dir = await editedCopy('sd15-int32', {
      'tokenizer/tokenizer_config.json': (json) => ({ ...json, model_max_length: 1e30 }),
    });
    const model = await loadModel(dir, { hashCacheDir: null });
    expect(model.tokenizer.maxLength).toBe(77);
    await model.release();
  });

  it("clamps a window wider than the text encoder's position embeddings to them", async () => {
    const dir = await editedCopy('sd15-int32', {
      'tokenizer/tokenizer_config.json': (json) => ({ ...json, model_max_length: 1e30 }),
      'text_encoder/config.json': (json) => ({ ...json, max_position_embeddings: 64 }),
    });
    const model = await loadModel(dir, { hashCacheDir: null });
    expect(model.tokenizer.maxLength).toBe(64);
    await model.release();
  });
});

describe('tokenizer.json alone', () => {
  it("reads transformers' CLIPTokenizerFast file as the same tokenizer as vocab.json and merges.txt", async () => {
    // The same vocabulary and merges in both layouts (tools/forge); the window comes from the text encoder.
    const [json, files] = await Promise.all(
      ['tokenizer-json', 'sd15-int32'].map((variant) => loadModel(fixtureModel(variant), { hashCacheDir: null })),
    );
    expect(json.tokenizer.maxLength).toBe(77);
    const prompts = ["A  Red FOX's portrait,\tsitting in 4k snow: highly-detailed PHOTO", 'café, crème brûlée', ''];
    for (const prompt of prompts) {
      expect(Array.from(json.tokenizer.encode(prompt).ids)).toEqual(Array.from(files.tokenizer.encode(prompt).ids));
    }
    await Promise.all([json.release(), files.release()]);
  });
});

describe('trailing timestep spacing', () => {
  it('keeps an ordinary model with trailing spacing at its family defaults and guidance', async () => {
    const dir = await editedCopy('sd15-int32', {
      'scheduler/scheduler_config.json': (json) => ({ ...json, timestep_spacing: 'trailing' }),
    });
    const model = await loadModel(dir, { hashCacheDir: null });
    expect([model.family.family, model.defaults]).toEqual(['sd1', { steps: 25, guidance: 7.5 }]);
    const { record } = await generate(model, { prompt: 'a cat', width: 64, height: 64, steps: 2, seed: 1 });
    expect([record.guidance, record.negativePrompt]).toEqual([7.5, '']);
    await model.release();
  });

  it('gives a distilled (Turbo) model the few-step defaults it declares in stipple.json, without CFG', async () => {
    const dir = await editedCopy('external-data', {});
    await writeFile(join(dir, 'stipple.json'), JSON.stringify({ defaults: { steps: 1, guidance: 0 } }));
    const model = await loadModel(dir, { hashCacheDir: null });
    expect(model.defaults).toEqual({ steps: 1, guidance: 0 });
    const unetBatches = countUnetBatches(model);
    const { record } = await generate(model, { prompt: 'a cat', width: 64, height: 64, seed: 1 });
    expect([record.steps, record.guidance]).toEqual([1, 0]);
    expect(unetBatches).toEqual([1]);
    await model.release();
  });
});

describe('VAE latent scaling', () => {
  it('decodes with shift_factor, and with latents_mean/std when the VAE config sets them', async () => {
    const request = { prompt: 'a cat', width: 64, height: 64, steps: 2, seed: 3 };
    const plain = await loadModel(fixtureModel('sd15-int32'), { hashCacheDir: null });
    const shifted = await loadModel(
      await editedCopy('sd15-int32', { 'vae_decoder/config.json': (json) => ({ ...json, shift_factor: 0.5 }) }),
      { hashCacheDir: null },
    );
    const normalized = await loadModel(
      await editedCopy('sd15-int32', {
        'vae_decoder/config.json': (json) => ({ ...json, latents_mean: [0.1, 0, 0, 0], latents_std: [1, 1, 1, 1] }),
      }),
      { hashCacheDir: null },
    );
    expect([shifted.vaeDecoder.shiftFactor, normalized.vaeDecoder.channelStatistics?.mean]).toEqual([
      0.5,
      [0.1, 0, 0, 0],
    ]);
    const [a, b, c] = await Promise.all([plain, shifted, normalized].map((model) => generate(model, request)));
    expect(b.images[0].pixels).not.toEqual(a.images[0].pixels);
    expect(c.images[0].pixels).not.toEqual(a.images[0].pixels);
    await Promise.all([plain.release(), shifted.release(), normalized.release()]);
  });
});

describe('LCM-LoRA fused export', () => {
  it('defaults to 4 steps at guidance 1 and runs one UNet batch (not two) per step', async () => {
    const model = await loadModel(fixtureModel('lcm-lora'), { hashCacheDir: null });
    expect(model.unet.contract.timestepCondDim).toBe(undefined);
    expect([model.family.family, model.defaults]).toEqual(['lcm', { steps: 4, guidance: 1 }]);
    const unetBatches = countUnetBatches(model);
    const { record } = await generate(model, { prompt: 'a cat', width: 64, height: 64, seed: 1 });
    expect([record.scheduler.className, record.steps, record.guidance]).toEqual(['LCMScheduler', 4, 1]);
    expect(unetBatches).toEqual([1, 1, 1, 1]);
    await model.release();
  });

  it('runs real classifier-free guidance above 1 (two UNet batches per step), as diffusers does', async () => {
    const model = await loadModel(fixtureModel('lcm-lora'), { hashCacheDir: null });
    const unetBatches = countUnetBatches(model);
    await generate(model, { prompt: 'a cat', width: 64, height: 64, steps: 3, guidance: 1.5, seed: 1 });
    expect(unetBatches).toEqual([2, 2, 2]);
    await model.release();
  });
});

describe('SDXL refiner', () => {
  const scene = (width: number, height: number) => {
    const pixels = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
    return sharp(pixels, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
  };

  it('loads text_encoder_2 alone as the conditioning, its hidden states 48 wide and its text_embeds pooled', async () => {
    const model = await loadModel(fixtureModel('sdxl-refiner'), { hashCacheDir: null });
    expect(model.textEncoders.map(({ name, contract }) => [name, contract.hiddenStatesOutput])).toEqual([
      ['text_encoder_2', 'hidden_states.1'],
    ]);
    expect(model.tokenizer).toBe(model.textEncoders[0].tokenizer);
    expect(model.unet.contract.textTime?.timeIdsWidth).toBe(5);
    expect([model.requiresAestheticsScore, model.forceZerosForEmptyPrompt, model.family.family]).toEqual([
      true,
      false,
      'sdxl',
    ]);
    await model.release();
  });

  it('refuses text-to-image with image_required, saying a refiner refines an existing image', async () => {
    const model = await loadModel(fixtureModel('sdxl-refiner'), { hashCacheDir: null });
    const error = await generate(model, { prompt: 'a cat', steps: 2 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'image_required', details: { field: 'image' } });
    expect((error as Error).message).toBe(
      'model sdxl-refiner is an SDXL refiner (requires_aesthetics_score): it refines an existing image and cannot draw one from noise; send image (image-to-image, or inpainting with mask), or use an SDXL base model for text-to-image',
    );
    await model.release();
  });

  it('refines an image at strength 0.3, with aesthetic scores 6 and 2.5 in place of the target size', async () => {
    const model = await loadModel(fixtureModel('sdxl-refiner'), { hashCacheDir: null });
    const feeds = recordUnetFeeds(model);
    const image = await scene(40, 32);
    const { record } = await generate(model, { prompt: 'a cat', image, steps: 10, guidance: 5, seed: 1 });
    expect([record.edit?.strength, feeds.length]).toEqual([0.3, 3]);
    expect([record.aestheticScore, record.negativeAestheticScore, record.negativePrompt]).toEqual([6, 2.5, '']);
    const { text_embeds, time_ids, encoder_hidden_states } = feeds[0];
    expect([text_embeds.dims, time_ids.dims, encoder_hidden_states.dims]).toEqual([
      [2, 40],
      [2, 5],
      [2, 77, 48],
    ]);
    // [negative, prompt] rows: original size (height, width), crop (0, 0), aesthetic score.
    expect(Array.from(time_ids.data as Float32Array)).toEqual([32, 40, 0, 0, 2.5, 32, 40, 0, 0, 6]);
    // force_zeros_for_empty_prompt is false: the missing negative prompt is "" encoded, not zeros.
    expect((text_embeds.data as Float32Array).subarray(0, 40).some((value) => value !== 0)).toBe(true);
    await model.release();
  });

  it("inpaints at inpainting's default strength 1, and without guidance feeds and records the prompt's score alone", async () => {
    const model = await loadModel(fixtureModel('sdxl-refiner'), { hashCacheDir: null });
    const feeds = recordUnetFeeds(model);
    const maskPixels = Uint8Array.from({ length: 40 * 32 }, (_, i) => (i % 40 < 20 ? 255 : 0));
    const mask = await sharp(maskPixels, { raw: { width: 40, height: 32, channels: 1 } })
      .png()
      .toBuffer();
    const request = { prompt: 'a cat', image: await scene(40, 32), mask, steps: 3, guidance: 1, seed: 2 };
    const { record } = await generate(model, request);
    expect([record.edit?.strength, feeds.length]).toEqual([1, 3]);
    expect([record.aestheticScore, 'negativeAestheticScore' in record]).toEqual([6, false]);
    expect(Array.from(feeds[0].time_ids.data as Float32Array)).toEqual([32, 40, 0, 0, 6]);
    await model.release();
  });

  it('refuses a 5-wide time_ids when model_index.json does not set requires_aesthetics_score', async () => {
    const dir = await editedCopy('sdxl-refiner', {
      'model_index.json': ({ requires_aesthetics_score: _, ...json }) => json,
    });
    const error = await loadModel(dir, { hashCacheDir: null }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'model_contract_mismatch', details: { input: 'time_ids', found: 5 } });
    expect((error as Error).message).toBe(
      `${join(dir, 'unet', 'model.onnx')} input "time_ids" is [batch, 5] but ${join(dir, 'model_index.json')} does not set requires_aesthetics_score, which gives 6 time ids; set "requires_aesthetics_score": true (an SDXL refiner UNet takes original size, crop and aesthetic score)`,
    );
  });
});
