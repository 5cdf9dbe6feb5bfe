import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MODEL_MANIFEST_FILE, ModelError, type ModelFile, type ModelManifest, sha256File } from '@stipple/core';
import { storageErrorFrom } from './storage-error-from.ts';

export interface S3ModelLocation {
  bucket: string;
  prefix: string;
}

/** `s3://bucket/prefix` → its parts; anything else is not an S3 location. */
export function parseS3Location(uri: string): S3ModelLocation | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*?)\/?$/.exec(uri);
  return match ? { bucket: match[1], prefix: match[2] } : undefined;
}

function keyFor(location: S3ModelLocation, path: string): string {
  return location.prefix ? `${location.prefix}/${path}` : path;
}

/** A manifest path must stay inside the model folder. */
function checkPath(location: S3ModelLocation, path: string): void {
  if (path.split('/').some((part) => part === '..' || part === '') || path.startsWith('/')) {
    throw new ModelError(
      'model_manifest_invalid',
      `s3://${location.bucket}/${keyFor(location, MODEL_MANIFEST_FILE)} lists an unsafe path "${path}"`,
    );
  }
}

/**
 * Models published to S3 (`stipple manifest` writes the manifest to put beside them): downloaded once into a local
 * cache, each file verified against the manifest's size and SHA-256 before it is used, so a truncated or tampered copy
 * is never loaded. Files already cached and matching are not downloaded again.
 */
export class S3ModelCache {
  constructor(
    private readonly client: S3Client,
    private readonly cacheDir: string,
  ) {}

  async fetch(location: S3ModelLocation): Promise<string> {
    const dir = join(this.cacheDir, location.bucket, ...location.prefix.split('/').filter(Boolean));
    const manifest = await this.readManifest(location);
    for (const file of manifest.files) {
      checkPath(location, file.path);
      const target = join(dir, file.path);
      if (await this.matches(target, file)) continue;
      await this.download(location, file, target);
    }
    return dir;
  }

  private async object(location: S3ModelLocation, path: string): Promise<Readable> {
    const key = keyFor(location, path);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
      return response.Body as Readable;
    } catch (error) {
      throw storageErrorFrom(error, { operation: 'GetObject', bucket: location.bucket, key });
    }
  }

  private async readManifest(location: S3ModelLocation): Promise<ModelManifest> {
    const body = await this.object(location, MODEL_MANIFEST_FILE);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const uri = `s3://${location.bucket}/${keyFor(location, MODEL_MANIFEST_FILE)}`;
    try {
      const manifest = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ModelManifest;
      if (Array.isArray(manifest.files)) return manifest;
    } catch {
      // Reported below with the file's address.
    }
    throw new ModelError(
      'model_manifest_invalid',
      `${uri} is not a model manifest ({ "files": [{ path, size, sha256 }] })`,
    );
  }

  private async matches(path: string, file: ModelFile): Promise<boolean> {
    const info = await stat(path).catch(() => undefined);
    return info?.size === file.size && (await sha256File(path)) === file.sha256;
  }

  private async download(location: S3ModelLocation, file: ModelFile, target: string): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    const hash = createHash('sha256');
    let size = 0;
    const body = await this.object(location, file.path);
    body.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    await pipeline(body, createWriteStream(partial));
    const sha256 = hash.digest('hex');
    if (size !== file.size || sha256 !== file.sha256) {
      await rm(partial, { force: true });
      throw new ModelError(
        'model_checksum_mismatch',
        `s3://${location.bucket}/${keyFor(location, file.path)} is ${size} bytes with sha256 ${sha256}; the manifest expects ${file.size} bytes with sha256 ${file.sha256}`,
        { path: file.path, expected: { size: file.size, sha256: file.sha256 }, found: { size, sha256 } },
      );
    }
    // Renamed into place only once verified, so an interrupted download never looks cached.
    await rename(partial, target);
  }
}
