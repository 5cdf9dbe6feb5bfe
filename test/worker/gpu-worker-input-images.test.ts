import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type S3Server, s3ClientFor, startS3Server } from '@stipple/test-support/s3-server';
import { startWorker, type WorkerProcess } from '@stipple/test-support/worker-process';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, errorOf, invoke, job, manifestOf, SECRET } from './worker-test-jobs.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the gpu-worker with input images', () => {
  let s3: S3Server;
  let worker: WorkerProcess;
  let client: S3Client;
  let image: Buffer;
  let mask: Buffer;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    worker = await startWorker({ ...s3.env, WORKER_SECRET: SECRET });
    client = s3ClientFor(s3);
    image = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#2040c0' } })
      .png()
      .toBuffer();
    mask = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } })
      .composite([{ input: { create: { width: 24, height: 24, channels: 3, background: '#fff' } }, left: 20, top: 20 }])
      .png()
      .toBuffer();
    for (const [key, body] of [
      ['inputs/acme/image.png', image],
      ['inputs/acme/mask.png', mask],
      ['inputs/acme/not-an-image.png', Buffer.from('hello')],
    ] as const) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    }
  });
  afterAll(async () => {
    await worker?.stop();
    await s3?.stop();
  });

  const input = (key: string, bytes: Uint8Array) => ({ key, sha256: sha256(bytes) });

  it('reads the image and mask from the bucket and records them by digest', async () => {
    const parameters = {
      prompt: 'a green triangle on a blue background',
      steps: 4,
      seed: 5,
      image: input('inputs/acme/image.png', image),
      mask: input('inputs/acme/mask.png', mask),
      strength: 0.75,
      maskBlur: 2,
    };
    const response = await invoke(worker, job('edit-1', { parameters }));
    expect(response.status).toBe(200);
    const manifest = await manifestOf(response);
    expect(manifest.outputs).toHaveLength(1);
    expect((manifest.records[0] as { edit?: unknown }).edit).toEqual({
      imageSha256: sha256(image),
      maskSha256: sha256(mask),
      strength: 0.75,
      maskBlur: 2,
      preserveUnmasked: true,
    });
  });

  it.each([
    [
      'a missing object',
      { key: 'inputs/acme/gone.png', sha256: 'ab'.repeat(32) },
      'input_image_not_found',
      `image s3://${BUCKET}/inputs/acme/gone.png does not exist (deleted or expired); upload it again`,
    ],
    [
      'an object whose digest is not the job’s',
      { key: 'inputs/acme/image.png', sha256: 'ab'.repeat(32) },
      'input_image_mismatch',
      `it changed after the job was made`,
    ],
  ])('fails a job naming %s', async (_, imageInput, code, message) => {
    const parameters = { prompt: 'x', steps: 2, image: imageInput };
    const response = await invoke(worker, job(`edit-${code}`, { parameters }));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });

  it('fails a job whose input is not an image', async () => {
    const bytes = Buffer.from('hello');
    const parameters = { prompt: 'x', steps: 2, image: input('inputs/acme/not-an-image.png', bytes) };
    const response = await invoke(worker, job('edit-not-image', { parameters }));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('invalid_image');
  });
});
