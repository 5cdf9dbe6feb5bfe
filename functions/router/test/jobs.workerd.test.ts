import { describe, expect, it } from 'vitest';
import { call, newTenant, waitForJobState } from './router-fixture.ts';

interface JobView {
  id: string;
  status: string;
  model: string;
  input: Record<string, unknown>;
  outputs: { url: string; seed: number; content_type: string; bytes: number }[];
  usage: { images: number; megapixel_steps: number; credits: number };
  progress: { step: number; total_steps: number } | null;
  error: { code: string } | null;
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
    });

    const done = await waitForJobState<JobView>(job.id, key);
    expect(done.status).toBe('succeeded');
    expect(done.outputs.map((output) => output.seed)).toEqual([7, 8]);
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
          'model "dall-e-3" is not offered here; use one of tiny-shapes, busy-shapes, stalled-shapes, flaky-shapes',
      },
    });
    expect(await post({ prompt: 'x', width: 2048, height: 2048, steps: 150, n: 8 })).toMatchObject({
      status: 400,
      error: { code: 'job_too_large' },
    });
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({ calls: 0, credits_remaining: 100 });
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
