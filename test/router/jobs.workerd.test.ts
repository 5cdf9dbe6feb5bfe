import { describe, expect, it } from 'vitest';
import { call, newTenant, waitForJobState } from './router-fixture.ts';

interface JobView {
  id: string;
  status: string;
  model: string;
  input: Record<string, unknown>;
  outputs: { url: string; seed: number; content_type: string; bytes: number }[];
  records: Record<string, unknown>[];
  usage: { images: number; megapixel_steps: number; credits: number };
  progress: { step: number; total_steps: number } | null;
  error: { code: string } | null;
}
/** Every key under `value` with a capital letter: the API spells its fields snake_case, records included. */
function camelCaseKeys(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => [
    ...(/[A-Z]/.test(key) ? [`${path}${key}`] : []),
    ...camelCaseKeys(item, `${path}${key}.`),
  ]);
}

interface Envelope {
  error: { message: string; param: string | null; code: string };
}

describe('POST /v1/jobs against a real gpu-worker and S3', () => {
  it('accepts a job with 202 and Location, runs it, and serves presigned URLs to real images', async () => {
    const { key } = await newTenant(10);
    const created = await call('/v1/jobs', {
      method: 'POST',
      token: key,
      body: JSON.stringify({ prompt: 'a red circle on a blue background', seed: 7, n: 2 }),
    });
    expect(created.status).toBe(202);
    const job = (await created.json()) as JobView;
    expect(created.headers.get('location')).toBe(`/v1/jobs/${job.id}`);
    expect(job.id).toMatch(/^job_[0-9a-f]{32}$/);
    expect(job).toMatchObject({ status: 'queued', model: 'tiny-shapes', usage: { images: 2, credits: 2 } });
    // The request as run: the model's defaults filled in, what was not given null.
    expect(job.input).toEqual({
      prompt: 'a red circle on a blue background',
      negative_prompt: null,
      width: 64,
      height: 64,
      steps: 20,
      guidance: null,
      scheduler: null,
      seed: 7,
      n: 2,
      output_format: 'png',
      image: null,
      mask: null,
      strength: null,
      mask_blur: null,
      preserve_unmasked: null,
    });

    const done = await waitForJobState<JobView>(job.id, key);
    expect(done.status).toBe('succeeded');
    expect(done.outputs.map((output) => output.seed)).toEqual([7, 8]);
    // Once run, the values the GPU used: tiny-shapes' own guidance (stipple.json) and scheduler (DPM-Solver++).
    expect(done.input).toEqual({ ...job.input, guidance: 5, scheduler: 'dpmpp-2m' });
    // The engine's record, snake_case like the rest of the API.
    expect(done.records).toHaveLength(1);
    expect(done.records[0]).toMatchObject({
      model: { id: 'tiny-shapes', weights_hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      negative_prompt: '',
      guidance: 5,
      guidance_rescale: 0,
      scheduler: { name: 'dpmpp-2m', class_name: 'DPMSolverMultistepScheduler' },
      seeds: [7, 8],
      onnx_runtime_version: expect.any(String),
      timings: { unet_ms: expect.any(Number), total_ms: expect.any(Number) },
    });
    expect(camelCaseKeys(done)).toEqual([]);
    for (const output of done.outputs) {
      const image = await fetch(output.url);
      expect(image.status).toBe(200);
      const bytes = new Uint8Array(await image.arrayBuffer());
      expect(bytes.length).toBe(output.bytes);
      expect(Array.from(bytes.subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
    expect(done.outputs[0].url).toContain('X-Amz-Expires=3600');
    const usage = await (await call('/v1/usage', { token: key })).json();
    expect(usage).toMatchObject({
      calls: 1,
      images: 2,
      credits_spent: 2,
      credits_reserved: 0,
      credits_remaining: 8,
      key: { calls: 1, images: 2, megapixel_steps: 0.16384, credits_spent: 2 },
    });
  });

  it('answers with the finished job when Prefer: wait=N covers the run', async () => {
    const { key } = await newTenant(5);
    const response = await call('/v1/jobs', {
      method: 'POST',
      token: key,
      headers: { prefer: 'wait=30' },
      body: JSON.stringify({ prompt: 'a green square', output_format: 'webp', url_ttl_seconds: 120 }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('preference-applied')).toBe('wait=30');
    const job = (await response.json()) as JobView;
    expect(job.status).toBe('succeeded');
    expect(job.outputs[0]).toMatchObject({ content_type: 'image/webp' });
    expect(job.outputs[0].url).toContain('X-Amz-Expires=120');
    // No seed was given: the one the worker drew is reported as the input's.
    expect(job.input.seed).toBe(job.outputs[0].seed);
  });

  it('refuses with 402 when credits run out, and charges nothing for refusals', async () => {
    const { key } = await newTenant(1);
    const refused = await call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify({ prompt: 'x', n: 2 }) });
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as Envelope).error).toMatchObject({
      code: 'insufficient_credits',
      message: 'this job costs 2 credits and 1 remain; add credits or ask for fewer, smaller images',
    });
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({ calls: 0, credits_remaining: 1 });
  });

  it('names bad fields, unknown models and oversized jobs', async () => {
    const { key } = await newTenant(100);
    const post = async (body: unknown) => {
      const response = await call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify(body) });
      return { status: response.status, error: ((await response.json()) as Envelope).error };
    };
    expect(await post({ prompt: 'x', width: 100 })).toMatchObject({ status: 400, error: { param: 'width' } });
    expect((await post({ prompt: 'x', width: 100 })).error.message).toContain('multiple of 8');
    expect(await post({ prompt: 'x', n: 9 })).toMatchObject({ status: 400, error: { param: 'n' } });
    expect(await post({ prompt: 'x', colour: 'red' })).toMatchObject({
      status: 400,
      error: { code: 'invalid_request' },
    });
    expect(await post({ prompt: 'x', model: 'dall-e-3' })).toMatchObject({
      status: 404,
      error: {
        code: 'model_not_found',
        param: 'model',
        message:
          'model "dall-e-3" is not offered here; use one of tiny-shapes, busy-shapes, stalled-shapes, flaky-shapes, safety-checker',
      },
    });
    expect(await post({ prompt: 'x', width: 2048, height: 2048, steps: 150, n: 8 })).toMatchObject({
      status: 400,
      error: { code: 'job_too_large' },
    });
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({ calls: 0, credits_remaining: 100 });
  });

  it('refuses a size the model does not draw, naming the sizes it does, and charges nothing', async () => {
    const { key } = await newTenant(100);
    const post = async (body: unknown) => {
      const response = await call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify(body) });
      return { status: response.status, error: ((await response.json()) as Envelope).error };
    };
    // The test catalogue (vitest.config.ts): busy-shapes declares no sizes, so it draws only its own 64².
    expect(await post({ prompt: 'x', model: 'busy-shapes', width: 128, height: 128 })).toEqual({
      status: 400,
      error: {
        type: 'invalid_request_error',
        code: 'size_not_supported',
        param: 'width',
        message: 'size 128x128 is not one model busy-shapes draws; use 64x64',
      },
    });
    expect(await post({ prompt: 'x', model: 'busy-shapes', height: 128 })).toMatchObject({
      status: 400,
      error: { code: 'size_not_supported', param: 'height', message: expect.stringContaining('size 64x128 ') },
    });
    expect(await post({ prompt: 'x', width: 1024, height: 1024 })).toMatchObject({
      status: 400,
      error: {
        param: 'width',
        message:
          'size 1024x1024 is not one model tiny-shapes draws; use 64x64, 96x64, 64x128, 128x128, 192x192, 256x256, 2048x2048',
      },
    });
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({ calls: 0, credits_remaining: 100 });
  });

  it.each([
    [{}, 'prompt', 'prompt is required; send text'],
    [{ prompt: ' \n\t ' }, 'prompt', 'prompt is only whitespace; describe what to draw'],
    [{ prompt: 'x', n: 9 }, 'n', 'n 9 is out of range; use an integer 1–8'],
    [{ prompt: 'x', steps: 2.5 }, 'steps', 'steps 2.5 is not an integer; use an integer 1–150'],
    [{ prompt: 'x', guidance: '7' }, 'guidance', 'guidance "7" is text; send a number 0–50'],
    [{ prompt: 'x', width: 100 }, 'width', 'width 100 is not a multiple of 8; use 64–2048 in steps of 8'],
    [{ prompt: 'x', height: 4096 }, 'height', 'height 4096 is out of range; use 64–2048 in steps of 8'],
    [{ prompt: 'x', seed: -1 }, 'seed', 'seed -1 is out of range; use an integer 0–4294967295'],
    [{ prompt: 'x', output_format: 'gif' }, 'output_format', 'output_format "gif" is not one of png, jpeg, webp'],
    [{ prompt: 'x', size: '64x64' }, 'size', 'unknown field size; use width and height, in pixels'],
    [
      { prompt: 'x', num_inference_steps: 9 },
      'num_inference_steps',
      'unknown field num_inference_steps; Stipple calls it steps',
    ],
    [{ prompt: 'x', guidance_scale: 7 }, 'guidance_scale', 'unknown field guidance_scale; Stipple calls it guidance'],
    [{ prompt: 'x', cfg_scale: 7 }, 'cfg_scale', 'unknown field cfg_scale; Stipple calls it guidance'],
    [
      { prompt: 'x', negativePrompt: 'y' },
      'negativePrompt',
      'unknown field negativePrompt; Stipple calls it negative_prompt',
    ],
    [
      { prompt: 'x', sampler_name: 'Euler a' },
      'sampler_name',
      'unknown field sampler_name; Stipple calls it scheduler',
    ],
    [{ prompt: 'x', num_outputs: 2 }, 'num_outputs', 'unknown field num_outputs; Stipple calls it n'],
  ])('refuses %j with 400 in its own words, naming the field', async (body, param, message) => {
    const { key } = await newTenant(100);
    const response = await call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Envelope).error).toMatchObject({ code: 'invalid_request', param, message });
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({ calls: 0, credits_remaining: 100 });
  });

  it('says what is wrong with a key of the wrong shape', async () => {
    const short = await call('/v1/usage', { token: 'sk_test_abcde' });
    expect(short.status).toBe(401);
    expect(((await short.json()) as Envelope).error.message).toBe(
      'the API key is not a Stipple key: key sk_test_abcd… has 5 characters after sk_test_; use exactly 43 of 0–9 A–Z a–z',
    );
  });

  it("answers 404 for another tenant's job, as for one that does not exist", async () => {
    const owner = await newTenant(2);
    const other = await newTenant(2);
    const created = (await (
      await call('/v1/jobs', { method: 'POST', token: owner.key, body: JSON.stringify({ prompt: 'mine' }) })
    ).json()) as JobView;
    const foreign = await call(`/v1/jobs/${created.id}`, { token: other.key });
    const missing = await call(`/v1/jobs/job_${'0'.repeat(32)}`, { token: other.key });
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    expect(((await foreign.json()) as Envelope).error.code).toBe('job_not_found');
    await waitForJobState<JobView>(created.id, owner.key);
  });
});
