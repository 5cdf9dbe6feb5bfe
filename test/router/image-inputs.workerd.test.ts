import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { bytesToHex } from '@stipple/jobs';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/router/src/app.ts';
import type { Env } from '../../functions/router/src/env.ts';
import { MAX_INLINE_IMAGE_BYTES } from '../../functions/router/src/inputs/input-image-limits.ts';
import { readJob } from '../../functions/router/src/jobs/job-run.ts';
import { createStorage } from '../../functions/router/src/jobs/job-services.ts';
import type { JobView } from '../../functions/router/src/jobs/public-job-types.ts';
import { toBase64 } from '../../functions/router/src/openai/base64.ts';
import { call, newTenant } from './router-fixture.ts';

interface Upload {
  id: string;
  object: string;
  upload_url: string;
  method: string;
  headers: Record<string, string>;
  expires_at: string;
}
interface ErrorBody {
  error: { code: string; param: string | null; message: string };
}

/** A real 64×64 RGB PNG, its pixels from `seed`. */
function png(seed = 1): Uint8Array<ArrayBuffer> {
  const data = Uint8Array.from({ length: 64 * 64 * 3 }, (_, index) => (index * seed * 31) % 256);
  return encode({ width: 64, height: 64, data, channels: 3, depth: 8 }) as Uint8Array<ArrayBuffer>;
}

const sha256 = async (bytes: Uint8Array<ArrayBuffer>) => bytesToHex(await crypto.subtle.digest('SHA-256', bytes));
const dataUrl = (bytes: Uint8Array, type = 'image/png') => `data:${type};base64,${toBase64(bytes)}`;

async function createUpload(key: string, bytes: Uint8Array, contentType = 'image/png'): Promise<Upload> {
  const response = await call('/v1/uploads', {
    method: 'POST',
    token: key,
    body: JSON.stringify({ content_type: contentType, size_bytes: bytes.length }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Upload;
}

/** An upload, PUT to its presigned URL as a phone would. */
async function upload(key: string, bytes: Uint8Array<ArrayBuffer>, contentType = 'image/png'): Promise<Upload> {
  const created = await createUpload(key, bytes, contentType);
  const put = await fetch(created.upload_url, { method: created.method, headers: created.headers, body: bytes });
  expect(put.status).toBe(200);
  return created;
}

function createJob(key: string, body: Record<string, unknown>): Promise<Response> {
  return call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify(body) });
}

async function usage(key: string) {
  return (await (await call('/v1/usage', { token: key })).json()) as {
    calls: number;
    credits_reserved: number;
    credits_remaining: number;
  };
}

describe('POST /v1/uploads', () => {
  it('answers a presigned PUT under the tenant, signed for the type and size, valid 15 minutes', async () => {
    const { key, tenantId } = await newTenant(1);
    const before = Date.now();
    const created = await createUpload(key, png());
    expect(created).toMatchObject({
      id: expect.stringMatching(/^upl_[0-9a-f]{32}$/),
      object: 'upload',
      method: 'PUT',
      headers: { 'content-type': 'image/png', 'content-length': String(png().length) },
    });
    const url = new URL(created.upload_url);
    expect(url.pathname).toBe(`/results/inputs/${tenantId}/${created.id}`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    const expiresIn = Date.parse(created.expires_at) - before;
    expect(expiresIn).toBeGreaterThanOrEqual(899_000);
    expect(expiresIn).toBeLessThanOrEqual(901_000);
  });

  it('refuses another type or a size over 20 MiB, naming the field', async () => {
    const { key } = await newTenant(1);
    for (const [body, param] of [
      [{ content_type: 'image/gif', size_bytes: 10 }, 'content_type'],
      [{ content_type: 'image/png', size_bytes: 20 * 1024 * 1024 + 1 }, 'size_bytes'],
      [{ content_type: 'image/png', size_bytes: 0 }, 'size_bytes'],
    ] as const) {
      const response = await call('/v1/uploads', { method: 'POST', token: key, body: JSON.stringify(body) });
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorBody).error.param).toBe(param);
    }
  });

  it('lets a client token that may generate upload, and not one that may only read', async () => {
    const { key } = await newTenant(1);
    const mint = async (scopes: string[]) =>
      (
        (await (
          await call('/v1/client-tokens', { method: 'POST', token: key, body: JSON.stringify({ scopes }) })
        ).json()) as { token: string }
      ).token;
    expect((await createUpload(await mint(['generate']), png())).id).toMatch(/^upl_/);
    const reader = await call('/v1/uploads', {
      method: 'POST',
      token: await mint(['read']),
      body: JSON.stringify({ content_type: 'image/png', size_bytes: 10 }),
    });
    expect(reader.status).toBe(403);
  });
});

describe('POST /v1/jobs with input images', () => {
  it('takes an upload: the job the worker gets names its key and the SHA-256 of its bytes', async () => {
    const { key, tenantId } = await newTenant(5);
    const image = png(3);
    const uploaded = await upload(key, image);
    const response = await createJob(key, { prompt: 'a green triangle', image: uploaded.id, strength: 0.5 });
    expect(response.status).toBe(202);
    const view = (await response.json()) as JobView;
    const digest = await sha256(image);
    expect(view.input).toMatchObject({
      image: { upload_id: uploaded.id, sha256: digest },
      mask: null,
      strength: 0.5,
    });
    const record = await readJob(env as Env, view.id);
    expect(record?.job.parameters).toMatchObject({
      image: { key: `inputs/${tenantId}/${uploaded.id}`, sha256: digest },
      strength: 0.5,
    });
    expect(record?.job.parameters.mask).toBeUndefined();
  });

  it("answers 404 upload_not_found for another tenant's upload, as for one never made, and reserves nothing", async () => {
    const owner = await newTenant(1);
    const other = await newTenant(1);
    const uploaded = await upload(owner.key, png());
    const stolen = await createJob(other.key, { prompt: 'x', image: uploaded.id });
    const missing = await createJob(other.key, { prompt: 'x', image: `upl_${'0'.repeat(32)}` });
    const bodies = [(await stolen.json()) as ErrorBody, (await missing.json()) as ErrorBody];
    expect([stolen.status, missing.status]).toEqual([404, 404]);
    for (const body of bodies) expect(body.error).toMatchObject({ code: 'upload_not_found', param: 'image' });
    expect(bodies[0].error.message.replace(uploaded.id, 'ID')).toBe(
      bodies[1].error.message.replace(`upl_${'0'.repeat(32)}`, 'ID'),
    );
    expect(await usage(other.key)).toMatchObject({ calls: 0, credits_remaining: 1 });
  });

  it('takes data URLs: stored under the tenant, digested, the mask with the image', async () => {
    const { key, tenantId } = await newTenant(5);
    const [image, mask] = [png(5), png(7)];
    const response = await createJob(key, {
      prompt: 'a green triangle',
      image: dataUrl(image),
      mask: dataUrl(mask),
      mask_blur: 4,
      preserve_unmasked: true,
    });
    expect(response.status).toBe(202);
    const view = (await response.json()) as JobView;
    expect(view.input).toMatchObject({
      image: { sha256: await sha256(image) },
      mask: { sha256: await sha256(mask) },
      // Inpainting's default strength (diffusers'), sent explicitly so the price is that of the steps run.
      strength: 1,
      mask_blur: 4,
      preserve_unmasked: true,
    });
    const { parameters } = (await readJob(env as Env, view.id))!.job;
    expect(parameters.image?.key).toBe(`inputs/${tenantId}/${view.input.image?.upload_id}`);
    const stored = await createStorage(env as Env).getBytes({ bucket: 'results', key: parameters.mask!.key });
    expect(stored).toEqual({ bytes: mask, contentType: 'image/png' });
  });

  it('takes an https URL: fetched, stored and digested (local hosts allowed in tests only)', async () => {
    const { key } = await newTenant(5);
    const image = png(9);
    const storage = createStorage(env as Env);
    const location = { bucket: 'results', key: 'fixtures/served.png' };
    await storage.putObject(location, image, 'image/png');
    const response = await createJob(key, { prompt: 'x', image: await storage.presignGet(location) });
    expect(response.status).toBe(202);
    const view = (await response.json()) as JobView;
    expect(view.input.image).toEqual({ upload_id: expect.stringMatching(/^upl_/), sha256: await sha256(image) });
    expect(view.input.strength).toBe(0.8);
  });

  it('refuses a URL that serves another content type, or answers an error, naming what it got', async () => {
    const { key } = await newTenant(5);
    const storage = createStorage(env as Env);
    const location = { bucket: 'results', key: 'fixtures/served-as-text.png' };
    await storage.putObject(location, png(), 'image/png');
    const asText = await storage.presignGet(location, { responseContentType: 'text/plain' });
    const missing = await storage.presignGet({ bucket: 'results', key: 'fixtures/none.png' });
    for (const [url, message] of [
      [asText, 'image URL serves "text/plain"; use one serving image/png, image/jpeg, image/webp'],
      [missing, 'answered 404; use a URL that serves the image'],
    ]) {
      const response = await createJob(key, { prompt: 'x', image: url });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as ErrorBody;
      expect(error).toMatchObject({ code: 'invalid_image', param: 'image' });
      expect(error.message).toContain(message);
    }
  });

  it('refuses a URL of a private address as the webhooks do (SSRF), reserving nothing', async () => {
    const { key } = await newTenant(1);
    for (const [url, reason] of [
      ['https://127.0.0.1/cat.png', 'image host 127.0.0.1 is loopback'],
      ['https://169.254.169.254/latest/meta-data', 'link-local'],
      ['http://images.example.com/cat.png', 'uses http; use an https URL'],
    ]) {
      const response = await createApp().request(
        'https://api.stipple.test/v1/jobs',
        {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ prompt: 'x', image: url }),
        },
        { ...env, ALLOW_LOCAL_WEBHOOKS: 'false' },
        createExecutionContext(),
      );
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as ErrorBody;
      expect(error).toMatchObject({ code: 'invalid_image', param: 'image' });
      expect(error.message).toContain(reason);
    }
    expect(await usage(key)).toMatchObject({ calls: 0, credits_remaining: 1 });
  });

  it.each([
    [{ image: dataUrl(new TextEncoder().encode('hello, not an image')) }, 'image', 'is not a PNG, JPEG or WebP image'],
    [{ image: dataUrl(png(), 'image/gif') }, 'image', 'use image/png, image/jpeg, image/webp'],
    [{ image: dataUrl(new Uint8Array(MAX_INLINE_IMAGE_BYTES + 3)) }, 'image', 'send at most 4 MiB'],
    [{ image: 'upl_nothex' }, 'image', 'is not an upload id'],
    [{ image: 'cat.png' }, 'image', 'is none of the forms it takes'],
    [{ mask: dataUrl(png()) }, 'mask', 'mask needs image'],
    [{ strength: 0.5 }, 'strength', 'strength needs image'],
    [{ image: dataUrl(png()), preserve_unmasked: true }, 'preserve_unmasked', 'preserve_unmasked needs mask'],
    [{ image: dataUrl(png()), strength: 1.5 }, 'strength', '0–1'],
  ])('refuses %o with a 400 naming %s', async (fields, param, message) => {
    const { key } = await newTenant(1);
    const response = await createJob(key, { prompt: 'x', ...fields });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorBody;
    expect(error.param).toBe(param);
    expect(error.message).toContain(message);
  });

  it('refuses an upload that holds no image', async () => {
    const { key } = await newTenant(1);
    const text = Uint8Array.from(new TextEncoder().encode('<html>not an image</html>'));
    const uploaded = await upload(key, text);
    const response = await createJob(key, { prompt: 'x', image: uploaded.id });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'invalid_image', param: 'image' });
  });
});

describe('the price of an image job', () => {
  it('is that of the steps that run: strength 0.5 over 20 steps costs what 10 steps cost', async () => {
    const { key } = await newTenant(10);
    // The stalled worker never starts a job, so nothing runs; the reservation is the price.
    const job = async (fields: Record<string, unknown>) => {
      const response = await createJob(key, { model: 'stalled-shapes', prompt: 'x', ...fields });
      expect(response.status).toBe(202);
      const view = (await response.json()) as JobView;
      await call(`/v1/jobs/${view.id}/cancel`, { method: 'POST', token: key });
      return view.usage;
    };
    const half = await job({ steps: 20, strength: 0.5, image: dataUrl(png()) });
    const tenSteps = await job({ steps: 10 });
    const twentySteps = await job({ steps: 20 });
    expect(half).toEqual(tenSteps);
    expect(half.megapixel_steps).toBeCloseTo(twentySteps.megapixel_steps / 2, 9);
    // floor(25 × 0.3) = 7 steps, as diffusers' get_timesteps runs.
    expect((await job({ steps: 25, strength: 0.3, image: dataUrl(png()) })).megapixel_steps).toBe(
      (await job({ steps: 7 })).megapixel_steps,
    );
  });
});
