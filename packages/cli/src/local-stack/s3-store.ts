import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

/** The one key pair s3rver's dummy account holds (s3rver/lib/models/account.js); it checks no signatures. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** The part of s3rver 3.7's API used here; s3rver ships no type declarations. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rverInstance;

/**
 * The buckets' CORS rules, as infra/storage.ts gives the deployed bucket (with any origin: the stack is on loopback):
 * a browser may GET results and PUT an input to its presigned URL (`POST /v1/uploads`; the playground does). Without
 * them the browser's preflight is refused ("CORS is not enabled for this bucket").
 */
const CORS_CONFIGURATION = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader><ExposeHeader>Content-Length</ExposeHeader><ExposeHeader>Content-Type</ExposeHeader>
    <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3600</MaxAgeSeconds>
  </CORSRule>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedHeader>content-type</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export interface S3Store {
  /** e.g. `http://127.0.0.1:40123` (path-style). */
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * The local stack's object store (and the tests'): s3rver, an S3-protocol server, inside this process, keeping objects
 * as files in `directory` (so they outlive restarts), on loopback `port` (0: one chosen by the system), with CORS for
 * browsers.
 */
export async function startS3Store(directory: string, buckets: readonly string[], port = 0): Promise<S3Store> {
  // s3rver ships no ES module entry; a dependency of @stipple/cli.
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    directory,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name, configs: [CORS_CONFIGURATION] })),
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    async stop() {
      // Idle keep-alive sockets would hold close() open until they time out.
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}
