import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import OpenAI from 'openai';
import type { ImageGenerateParamsNonStreaming } from 'openai/resources/images';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/router/src/app.ts';
import { openai, rejection } from './openai-client.ts';
import { call, newTenant } from './router-fixture.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG's IHDR width and height (PNG spec §11.2.2: they follow the 8-byte signature and the chunk's length and type). */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  expect(Array.from(bytes.subarray(0, 8))).toEqual(PNG_SIGNATURE);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (character) => character.charCodeAt(0));

async function usage(key: string) {
  return (await (await call('/v1/usage', { token: key })).json()) as {
    calls: number;
    images: number;
    megapixel_steps: number;
    credits_remaining: number;
  };
}

describe('POST /v1/images/generations through the openai SDK', () => {
  it('answers with presigned URLs to real PNGs of the requested size', async () => {
    const { key } = await newTenant(10);
    const images = await openai(key).images.generate({
      model: 'tiny-shapes',
      prompt: 'a red circle',
      n: 2,
      size: '96x64',
    });
    expect(Number.isInteger(images.created)).toBe(true);
    expect(images.data).toHaveLength(2);
    for (const image of images.data ?? []) {
      expect(Object.keys(image)).toEqual(['url', 'content_filter', 'prompt_filter']);
      const response = await fetch(image.url!);
      expect(response.status).toBe(200);
      expect(pngSize(new Uint8Array(await response.arrayBuffer()))).toEqual({ width: 96, height: 64 });
    }
    expect(await usage(key)).toMatchObject({ calls: 1, images: 2, credits_remaining: 8 });
  });

  it('answers with the images themselves for b64_json: the PNGs the URLs serve for the same seed', async () => {
    const { key } = await newTenant(10);
    const client = openai(key);
    const request: ImageGenerateParamsNonStreaming & { seed: number } = {
      model: 'tiny-shapes',
      prompt: 'a blue square',
      n: 2,
      size: '64x64',
      seed: 5,
    };
    const encoded = await client.images.generate({ ...request, response_format: 'b64_json' });
    const linked = await client.images.generate(request);
    const fields = ['b64_json', 'content_filter', 'prompt_filter'];
    expect(encoded.data?.map((image) => Object.keys(image))).toEqual([fields, fields]);
    const decoded = (encoded.data ?? []).map((image) => fromBase64(image.b64_json!));
    for (const bytes of decoded) expect(pngSize(bytes)).toEqual({ width: 64, height: 64 });
    expect(decoded[0]).not.toEqual(decoded[1]);
    const served = await Promise.all(
      (linked.data ?? []).map(async (image) => new Uint8Array(await (await fetch(image.url!)).arrayBuffer())),
    );
    expect(served).toEqual(decoded);
  });

  it('honours the Stipple extensions and output_format, and accepts the OpenAI fields it ignores', async () => {
    const { key } = await newTenant(20);
    const client = openai(key);
    const stipple: ImageGenerateParamsNonStreaming & Record<string, unknown> = {
      prompt: 'a green triangle',
      size: '64x128',
      quality: 'hd',
      style: 'vivid',
      moderation: 'low',
      background: 'opaque',
      user: 'end-user-42',
      n: null,
      model: null,
      negative_prompt: 'blur',
      steps: 5,
      guidance: 4,
      scheduler: 'ddim',
      seed: 11,
      response_format: 'b64_json',
    };
    const first = await client.images.generate(stipple);
    expect(first.data).toHaveLength(1);
    const bytes = fromBase64(first.data![0].b64_json!);
    expect(pngSize(bytes)).toEqual({ width: 64, height: 128 });
    // The jobs API with the same settings draws the same image: every extension reached the job.
    const viaJobs = await call('/v1/jobs', {
      method: 'POST',
      token: key,
      headers: { prefer: 'wait=30' },
      body: JSON.stringify({
        prompt: 'a green triangle',
        width: 64,
        height: 128,
        negative_prompt: 'blur',
        steps: 5,
        guidance: 4,
        scheduler: 'ddim',
        seed: 11,
      }),
    });
    const job = (await viaJobs.json()) as { status: string; outputs: { url: string }[] };
    expect(job.status).toBe('succeeded');
    expect(new Uint8Array(await (await fetch(job.outputs[0].url)).arrayBuffer())).toEqual(bytes);
    // 64 × 128 px × 5 steps, twice.
    expect(await usage(key)).toMatchObject({ calls: 2, images: 2, megapixel_steps: 0.08192 });

    const webp = await client.images.generate({ prompt: 'a dot', output_format: 'webp', response_format: 'b64_json' });
    const riff = new TextDecoder().decode(fromBase64(webp.data![0].b64_json!).subarray(8, 12));
    expect(riff).toBe('WEBP');
  });

  it('refuses bad fields with BadRequestError, naming the field and the allowed values', async () => {
    const { key } = await newTenant(10);
    const client = openai(key);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ size: '100x64' }, 'size', 'size "100x64": width 100 is not a multiple of 8; use 64–2048 in steps of 8'],
      [{ size: '64x4096' }, 'size', 'size "64x4096": height 4096 is out of range; use 64–2048 in steps of 8'],
      [
        { size: 'large' },
        'size',
        'size "large" is not WIDTHxHEIGHT; use e.g. 512x512, each side 64–2048 in steps of 8',
      ],
      [{ n: 9 }, 'n', 'n 9 is too many; use 1–8'],
      [{ response_format: 'jpeg' }, 'response_format', 'response_format "jpeg" is not supported; use url or b64_json'],
      [{ quality: 'ultra' }, 'quality', 'quality "ultra" is not supported; use standard, hd, low, medium, high, auto'],
      [{ background: 'transparent' }, 'background', 'background "transparent" is not supported; use auto, opaque'],
      [{ stream: true }, 'stream', 'stream true is not supported; use false or leave it out'],
      [{ partial_images: 2 }, 'partial_images', 'unknown field partial_images'],
      [{ width: 64 }, 'width', 'unknown field width; use size, "WIDTHxHEIGHT"'],
    ];
    for (const [fields, param, message] of cases) {
      const error = await rejection(
        client.images.generate({ prompt: 'x', ...fields } as unknown as ImageGenerateParamsNonStreaming),
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect({ param: error.param ?? '', code: error.code }).toEqual({ param, code: 'invalid_request' });
      expect(error.message).toContain(message);
    }
    expect(await usage(key)).toMatchObject({ calls: 0, credits_remaining: 10 });
  });

  it('refuses a size the model does not draw with BadRequestError on size, naming the sizes it draws', async () => {
    const { key } = await newTenant(10);
    const error = await rejection(
      openai(key).images.generate({ model: 'busy-shapes', prompt: 'x', size: '1024x1024' }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect({ param: error.param, code: error.code }).toEqual({ param: 'size', code: 'size_not_supported' });
    expect(error.message).toContain('size 1024x1024 is not one model busy-shapes draws; use 64x64');
    expect(await usage(key)).toMatchObject({ calls: 0, credits_remaining: 10 });
  });

  it('answers 402 insufficient_credits, NotFoundError for unknown models and 403 for a read-only key', async () => {
    const broke = await rejection(openai((await newTenant(0)).key).images.generate({ prompt: 'x' }));
    expect(broke.constructor).toBe(OpenAI.APIError);
    expect({ status: broke.status, code: broke.code, type: broke.type }).toEqual({
      status: 402,
      code: 'insufficient_credits',
      type: 'insufficient_credits',
    });

    const { key } = await newTenant(10);
    const unknown = await rejection(openai(key).images.generate({ model: 'dall-e-3', prompt: 'x' }));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect({ code: unknown.code, param: unknown.param }).toEqual({ code: 'model_not_found', param: 'model' });

    const reader = await newTenant(10, ['read']);
    const denied = await rejection(openai(reader.key).images.generate({ prompt: 'x' }));
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(denied.code).toBe('missing_scope');
  });

  it('answers generation_pending with the job id when the job outlasts the sync wait, and the job runs on', async () => {
    const { key } = await newTenant(10);
    // The same router with SYNC_WAIT_SECONDS=0, so it never waits: no timing assumption, and no other test slows.
    const app = createApp();
    const noWait = { ...env, SYNC_WAIT_SECONDS: '0' };
    const client = openai(key, async (url, init) => app.request(String(url), init, noWait, createExecutionContext()));
    const withSeed: ImageGenerateParamsNonStreaming & { seed: number } = { prompt: 'a square', seed: 3 };
    const pending = await rejection(client.images.generate(withSeed));
    expect(pending).toBeInstanceOf(OpenAI.InternalServerError);
    expect({ status: pending.status, code: pending.code, type: pending.type }).toEqual({
      status: 504,
      code: 'generation_pending',
      type: 'server_error',
    });
    const jobId = (pending.error as { job_id: string }).job_id;
    expect(jobId).toMatch(/^job_[0-9a-f]{32}$/);
    expect(pending.headers?.get('location')).toBe(`/v1/jobs/${jobId}`);
    expect(pending.message).toContain(`GET /v1/jobs/${jobId}`);
    // The SDK did not retry (x-should-retry: false): one job, one reservation.
    expect((await usage(key)).calls).toBe(1);

    let job = { status: 'queued', outputs: [] as { seed: number; content_type: string }[] };
    for (let poll = 0; poll < 150 && ['queued', 'running'].includes(job.status); poll++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      // As docs/router.md shows: the same SDK, the same key, the jobs API.
      job = await openai(key).get<typeof job>(`/jobs/${jobId}`);
    }
    expect(job).toMatchObject({ status: 'succeeded', outputs: [{ seed: 3, content_type: 'image/png' }] });
  });
});

describe('GET /v1/models through the openai SDK', () => {
  it("lists the catalogue in OpenAI's list shape and retrieves one model", async () => {
    const { key } = await newTenant(0, ['read']);
    const client = openai(key);
    const page = await client.models.list();
    // The test project's MODELS (vitest.config.ts): the default first, in catalogue order.
    expect(page.data.map((model) => model.id)).toEqual([
      'tiny-shapes',
      'busy-shapes',
      'stalled-shapes',
      'flaky-shapes',
      'safety-checker',
    ]);
    expect(page.data[0]).toEqual({
      id: 'tiny-shapes',
      object: 'model',
      created: 0,
      owned_by: 'stipple',
      sizes: ['64x64', '96x64', '64x128', '128x128', '192x192', '256x256', '2048x2048'],
    });
    // A model that declares no sizes draws only its own.
    expect(await client.models.retrieve('busy-shapes')).toMatchObject({ id: 'busy-shapes', sizes: ['64x64'] });
    expect(await (await call('/v1/models', { token: key })).json()).toMatchObject({ object: 'list' });
    expect(await client.models.retrieve('tiny-shapes')).toMatchObject({ id: 'tiny-shapes', owned_by: 'stipple' });
    const missing = await rejection(client.models.retrieve('org/no-such-model'));
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing.code).toBe('model_not_found');
    expect(missing.message).toContain('model "org/no-such-model" is not offered here; use one of tiny-shapes');
  });

  it('refuses a missing key with AuthenticationError', async () => {
    const error = await rejection(openai('sk_test_not-a-real-key').models.list());
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe('invalid_api_key');
  });
});
