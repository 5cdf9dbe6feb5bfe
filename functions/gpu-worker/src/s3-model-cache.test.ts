import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listModelFiles, loadModel, MODEL_MANIFEST_FILE, type ModelError } from '@stipple/core';
import { type S3Server, s3ClientFor, startS3Server } from '@stipple/test-support/s3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from './model-registry.ts';
import { parseS3Location, S3ModelCache } from './s3-model-cache.ts';

const FIXTURE = new URL('../../../test/fixtures/models/sd15-int32', import.meta.url).pathname;

describe('S3ModelCache', () => {
  let s3: S3Server;
  let client: S3Client;

  async function publish(prefix: string, change?: (path: string, bytes: Buffer) => Buffer): Promise<void> {
    const files = await listModelFiles(FIXTURE);
    for (const file of files) {
      const bytes = await readFile(join(FIXTURE, file.path));
      const body = change ? change(file.path, bytes) : bytes;
      await client.send(new PutObjectCommand({ Bucket: 'models', Key: `${prefix}/${file.path}`, Body: body }));
    }
    const manifest = JSON.stringify({ files });
    await client.send(
      new PutObjectCommand({ Bucket: 'models', Key: `${prefix}/${MODEL_MANIFEST_FILE}`, Body: manifest }),
    );
  }

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: ['models'] });
    client = s3ClientFor(s3);
  });
  afterAll(() => s3?.stop());

  it('downloads a published model once, verified, into a folder the engine loads', async () => {
    await publish('sd15/v1');
    const cache = new S3ModelCache(client, await mkdtemp(join(tmpdir(), 'stipple-cache-')));
    const dir = await cache.fetch(parseS3Location('s3://models/sd15/v1')!);
    const model = await loadModel(dir);
    expect(model.family.family).toBe('sd1');
    await model.release();
    const unet = join(dir, 'unet', 'model.onnx');
    const before = (await stat(unet)).mtimeMs;
    expect(await cache.fetch(parseS3Location('s3://models/sd15/v1/')!)).toBe(dir);
    expect((await stat(unet)).mtimeMs).toBe(before);
  });

  it('refuses a file whose bytes differ from the manifest, and keeps nothing of it', async () => {
    await publish('sd15/tampered', (path, bytes) =>
      path === 'unet/model.onnx' ? Buffer.concat([bytes, Buffer.from('x')]) : bytes,
    );
    const cacheDir = await mkdtemp(join(tmpdir(), 'stipple-cache-'));
    const cache = new S3ModelCache(client, cacheDir);
    const error = (await cache
      .fetch(parseS3Location('s3://models/sd15/tampered')!)
      .catch((caught) => caught)) as ModelError;
    expect(error.code).toBe('model_checksum_mismatch');
    expect(error.message).toMatch(
      /^s3:\/\/models\/sd15\/tampered\/unet\/model\.onnx is \d+ bytes with sha256 [0-9a-f]{64}; the manifest expects/,
    );
    await expect(stat(join(cacheDir, 'models', 'sd15', 'tampered', 'unet', 'model.onnx'))).rejects.toThrow();
  });

  it('refuses a manifest path that leaves the model folder', async () => {
    const manifest = JSON.stringify({ files: [{ path: '../escape.onnx', size: 1, sha256: '0'.repeat(64) }] });
    await client.send(new PutObjectCommand({ Bucket: 'models', Key: `evil/${MODEL_MANIFEST_FILE}`, Body: manifest }));
    const cache = new S3ModelCache(client, await mkdtemp(join(tmpdir(), 'stipple-cache-')));
    await expect(cache.fetch(parseS3Location('s3://models/evil')!)).rejects.toThrow(
      /lists an unsafe path "\.\.\/escape\.onnx"/,
    );
  });

  it('serves an s3:// model through the registry', async () => {
    await publish('sd15/v2');
    const cache = new S3ModelCache(client, await mkdtemp(join(tmpdir(), 'stipple-cache-')));
    const registry = new ModelRegistry(new Map([['remote', 's3://models/sd15/v2']]), {}, (uri) =>
      cache.fetch(parseS3Location(uri)!),
    );
    const model = await registry.get('remote');
    expect(model.dir).toMatch(/models\/sd15\/v2$/);
    expect(registry.list()).toEqual([{ id: 'remote', dir: 's3://models/sd15/v2', state: 'ready', load: model.load }]);
    await registry.release();
  });
});
