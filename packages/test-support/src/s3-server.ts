/**
 * A real S3-protocol server for tests: s3rver on an ephemeral port over a fresh temporary directory.
 *
 * s3rver accepts any SigV4 signature (it does not implement SigV4 verification) but looks the access key up: sign
 * requests with `S3RVER_CREDENTIALS`. It serves path-style URLs on 127.0.0.1, so clients need `forcePathStyle: true`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { S3RVER_CREDENTIALS, startS3Store } from '@stipple/cli/src/local-stack/s3-store.ts';

export { S3RVER_CREDENTIALS };

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
  const dir = await mkdtemp(join(tmpdir(), 'stipple-s3rver-'));
  const store = await startS3Store(dir, buckets).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    endpoint: store.endpoint,
    dir,
    env: {
      S3_ENDPOINT: store.endpoint,
      S3_CONDITIONAL_WRITES: 'false',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    },
    async stop() {
      await store.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An AWS SDK client for the server, path-style with s3rver's key pair (and `config`); `destroy()` it when done. */
export function s3ClientFor(server: Pick<S3Server, 'endpoint'>, config: S3ClientConfig = {}): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    ...config,
  });
}
