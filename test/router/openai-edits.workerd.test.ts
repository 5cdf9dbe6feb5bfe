import { env } from 'cloudflare:workers';
import { bytesToHex } from '@stipple/jobs';
import { decode, encode } from 'fast-png';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../functions/router/src/env.ts';
import type { JobRecord } from '../../functions/router/src/jobs/job-record.ts';
import { readJob } from '../../functions/router/src/jobs/job-run.ts';
import { createStorage } from '../../functions/router/src/jobs/job-services.ts';
import { VARIATION_PROMPT, VARIATION_STRENGTH } from '../../functions/router/src/openai/image-job-request.ts';
import { openai, rejection } from './openai-client.ts';
import { call, newTenant } from './router-fixture.ts';

/** A 64×64 RGB PNG, a red disc on blue. */
function scene(): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(64 * 64 * 3);
  for (let pixel = 0; pixel < 64 * 64; pixel++) {
    const [x, y] = [pixel % 64, Math.floor(pixel / 64)];
    data.set((x - 32) ** 2 + (y - 32) ** 2 < 144 ? [220, 30, 30] : [30, 30, 200], pixel * 3);
  }
  return encode({ width: 64, height: 64, data, channels: 3, depth: 8 }) as Uint8Array<ArrayBuffer>;
}

/** OpenAI's mask for `scene`: transparent over the disc's square (to repaint), opaque black elsewhere. */
function openAiMask(): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(64 * 64 * 4);
  for (let pixel = 0; pixel < 64 * 64; pixel++) {
    const [x, y] = [pixel % 64, Math.floor(pixel / 64)];
    const repaint = x >= 16 && x < 48 && y >= 16 && y < 48;
    data.set([0, 0, 0, repaint ? 0 : 255], pixel * 4);
  }
  return encode({ width: 64, height: 64, data, channels: 4, depth: 8 }) as Uint8Array<ArrayBuffer>;
}

const png = (bytes: Uint8Array, name: string) => toFile(bytes, name, { type: 'image/png' });
const sha256 = async (bytes: Uint8Array<ArrayBuffer>) => bytesToHex(await crypto.subtle.digest('SHA-256', bytes));

/** The job a request just made: the newest of the key's jobs, as the router keeps it (what the worker was sent). */
async function newestJob(key: string): Promise<JobRecord> {
  const list = (await (await call('/v1/jobs?limit=1', { token: key })).json()) as { data: { id: string }[] };
  const record = await readJob(env as Env, list.data[0].id);
  expect(record).toBeDefined();
  return record!;
}

async function storedBytes(key: string): Promise<Uint8Array> {
  return (await createStorage(env as Env).getBytes({ bucket: 'results', key }))!.bytes;
}

describe('POST /v1/images/edits through the openai SDK', () => {
  it("inpaints where OpenAI's mask is transparent: the worker gets the image and a white-on-black mask", async () => {
    const { key, tenantId } = await newTenant(10);
    const image = scene();
    const edited = await openai(key).images.edit({
      image: await png(image, 'scene.png'),
      mask: await png(openAiMask(), 'mask.png'),
      prompt: 'a green triangle on a blue background',
      n: 2,
      size: '64x64',
      user: 'end-user-7',
    });
    expect(edited.data).toHaveLength(2);
    for (const output of edited.data ?? []) expect((await fetch(output.url!)).status).toBe(200);
    const { parameters } = (await newestJob(key)).job;
    expect(parameters).toMatchObject({
      prompt: 'a green triangle on a blue background',
      image: { key: expect.stringMatching(new RegExp(`^inputs/${tenantId}/upl_`)), sha256: await sha256(image) },
      strength: 1,
      n: 2,
    });
    const mask = decode(await storedBytes(parameters.mask!.key));
    expect({ width: mask.width, height: mask.height, channels: mask.channels }).toEqual({
      width: 64,
      height: 64,
      channels: 1,
    });
    const at = (x: number, y: number) => mask.data[y * 64 + x];
    expect([at(20, 20), at(47, 47), at(0, 0), at(63, 10), at(15, 16)]).toEqual([255, 255, 0, 0, 0]);
  });

  it('redraws the whole image without a mask, at the strength asked, as b64_json PNGs of the size asked', async () => {
    const { key } = await newTenant(10);
    const edited = await openai(key).images.edit({
      image: [await png(scene(), 'scene.png')],
      prompt: 'a blue square',
      size: '96x64',
      response_format: 'b64_json',
      strength: 0.3,
      seed: 4,
    } as OpenAI.Images.ImageEditParamsNonStreaming);
    const bytes = Uint8Array.from(atob(edited.data![0].b64_json!), (character) => character.charCodeAt(0));
    expect(decode(bytes)).toMatchObject({ width: 96, height: 64 });
    const record = await newestJob(key);
    expect(record.job.parameters).toMatchObject({ strength: 0.3, seed: 4, width: 96, height: 64 });
    expect(record.job.parameters.mask).toBeUndefined();
    // 20 steps at strength 0.3 run 6: the price of 6 steps.
    expect(record.usage.megapixelSteps).toBeCloseTo(((96 * 64) / 1e6) * 6, 9);
  });

  it('refuses a mask without alpha, two images and a file over 4 MiB, naming the field', async () => {
    const { key } = await newTenant(10);
    const client = openai(key);
    const opaque = encode({ width: 1, height: 1, channels: 3, depth: 8, data: Uint8Array.from([0, 0, 0]) });
    const noAlpha = await rejection(
      client.images.edit({ image: await png(scene(), 'a.png'), mask: await png(opaque, 'm.png'), prompt: 'x' }),
    );
    expect(noAlpha).toMatchObject({ status: 400, code: 'invalid_image', param: 'mask' });
    expect(noAlpha.message).toContain('mask has no alpha channel');
    const two = await rejection(
      client.images.edit({ image: [await png(scene(), 'a.png'), await png(scene(), 'b.png')], prompt: 'x' }),
    );
    expect(two).toMatchObject({ status: 400, param: 'image' });
    expect(two.message).toContain('image was sent more than once');
    const big = await rejection(
      client.images.edit({ image: await png(new Uint8Array(4 * 1024 * 1024 + 1), 'big.png'), prompt: 'x' }),
    );
    expect(big).toMatchObject({ status: 400, param: 'image' });
    expect(big.message).toContain('send at most 4194304 (4 MiB)');
    const notImage = await rejection(
      client.images.edit({ image: await png(new TextEncoder().encode('hello'), 'a.png'), prompt: 'x' }),
    );
    expect(notImage).toMatchObject({ status: 400, code: 'invalid_image', param: 'image' });
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({ calls: 0, credits_remaining: 10 });
  });

  it('refuses a JSON body, which OpenAI edits never take', async () => {
    const { key } = await newTenant(1);
    const response = await call('/v1/images/edits', {
      method: 'POST',
      token: key,
      body: JSON.stringify({ prompt: 'x', image: 'upl_x' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'is not multipart/form-data',
    );
  });
});

describe('POST /v1/images/variations through the openai SDK', () => {
  it('is image-to-image with the empty prompt at the stated strength', async () => {
    const { key } = await newTenant(10);
    const image = scene();
    const varied = await openai(key).images.createVariation({
      image: await png(image, 'scene.png'),
      n: 1,
      // OpenAI's types list DALL·E 2's sizes; a Stipple model draws its own.
      size: '64x64' as '256x256',
      response_format: 'url',
      user: 'end-user-7',
    });
    expect(varied.data).toHaveLength(1);
    expect((await fetch(varied.data![0].url!)).status).toBe(200);
    const { parameters } = (await newestJob(key)).job;
    expect(parameters).toMatchObject({
      prompt: VARIATION_PROMPT,
      strength: VARIATION_STRENGTH,
      image: { sha256: await sha256(image) },
    });
    expect(parameters.mask).toBeUndefined();
  });
});
