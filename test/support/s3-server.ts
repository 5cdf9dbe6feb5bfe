/**
 * A real S3-protocol server for tests: s3rver on an ephemeral port over a fresh temporary directory.
 *
 * s3rver accepts any SigV4 signature (it does not implement SigV4 verification) but looks the access key up: sign
 * requests with `S3RVER_CREDENTIALS`. It serves path-style URLs on 127.0.0.1, so clients need `forcePathStyle: true`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';

/** The one key pair s3rver's dummy account holds (s3rver/lib/models/account.js). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** The part of s3rver 3.7's API used here; s3rver ships no type declarations. */
interface S3rverInstance {
  /** Resolves to `httpServer.address()` once listening (s3rver/lib/s3rver.js `run`). */
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

export interface S3Server {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  /** The directory s3rver stores objects in; removed by `stop()`. */
  dir: string;
  /**
   * The worker's S3 variables for this server (for `readS3Config` or a worker process's env). Conditional writes are
   * off: s3rver 3.7 ignores `If-None-Match` on PUT and overwrites the object.
   */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3Server({ buckets }: { buckets: string[] }): Promise<S3Server> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const dir = await mkdtemp(join(tmpdir(), 'stipple-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: dir,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    dir,
    env: {
      S3_ENDPOINT: endpoint,
      S3_CONDITIONAL_WRITES: 'false',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    },
    async stop() {
      // Idle keep-alive sockets from the SDK would hold close() open until they time out.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An AWS SDK client for the server, path-style with s3rver's key pair; `destroy()` it when done. */
export function s3ClientFor(server: Pick<S3Server, 'endpoint'>): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
}
