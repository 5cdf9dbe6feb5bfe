import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { AdapterValidationError, EdgeStorage } from '@stipple/adapters';
import { FakeClock } from '@stipple/test-support/fake-clock';
import { S3RVER_CREDENTIALS, type S3Server, s3ClientFor, startS3Server } from '@stipple/test-support/s3-server';
import { verifySigV4 } from '@stipple/test-support/sigv4-verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BUCKET = 'results';
const DOTTED_BUCKET = 'stipple.results';

/** One request as the store received it. */
interface Received {
  method: string;
  /** Path and query exactly as sent on the wire. */
  target: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let s3: S3Server;
let proxy: Server;
const received: Received[] = [];
/** Path-style, as for any store with its own endpoint. */
let storage: EdgeStorage;
/** Virtual-hosted unless the bucket cannot be (AWS's default addressing). */
let virtualHosted: EdgeStorage;

/**
 * s3rver behind a recorder: what the edge actually sends reaches a real S3-protocol server, and each request is kept as
 * received, for the SigV4 verifier. `localhost`, not an IP address, so that only the bucket decides path style.
 */
async function startRecordingProxy(target: URL): Promise<Server> {
  const server = createServer(async (incoming, answer) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    received.push({ method: incoming.method ?? 'GET', target: incoming.url ?? '/', headers: incoming.headers, body });
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (upstream) => {
        answer.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(answer);
      },
    );
    forwarded.end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET, DOTTED_BUCKET] });
  proxy = await startRecordingProxy(new URL(s3.endpoint));
  const { port } = proxy.address() as AddressInfo;
  const endpoint = `http://localhost:${port}`;
  storage = new EdgeStorage({ endpoint, credentials: S3RVER_CREDENTIALS });
  virtualHosted = new EdgeStorage({ endpoint, credentials: S3RVER_CREDENTIALS, forcePathStyle: false });
});
afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((done) => proxy?.close(done));
  await s3?.stop();
});

/** The SigV4 verdict on a received request, as S3 would give it. */
function verify(request: Received) {
  return verifySigV4(request, {
    secrets: { [S3RVER_CREDENTIALS.accessKeyId]: S3RVER_CREDENTIALS.secretAccessKey },
    region: 'us-east-1',
    service: 's3',
    now: Date.now(),
  });
}

/** The key S3 reads from a path-style target: the path after the bucket, percent-decoded (a `%2F` is a `/`). */
function keyOf(target: string, bucket: string): string {
  const path = target.split('?')[0];
  expect(path.startsWith(`/${bucket}/`)).toBe(true);
  return decodeURIComponent(path.slice(bucket.length + 2));
}

/** Keys that `new URL` would change or that SigV4 encodes where `encodeURIComponent` does not, and the path sent. */
const KEYS: Record<string, string> = {
  "specials/c!'()*~ +=&%.png": '/results/specials/c%21%27%28%29%2A~%20%2B%3D%26%25.png',
  'dots/./a.png': '/results/dots%2F.%2Fa.png',
  'dots/../b.png': '/results/dots%2F..%2Fb.png',
  '../escape.png': '/results/..%2Fescape.png',
  './here.png': '/results/.%2Fhere.png',
  'trailing/..': '/results/trailing%2F..',
};

describe('EdgeStorage object keys', () => {
  for (const [key, path] of Object.entries(KEYS)) {
    it(`send ${JSON.stringify(key)} as ${path}, signed as sent, and read it back from s3rver`, async () => {
      const before = received.length;
      const body = `object named ${key}`;
      await storage.putObject({ bucket: BUCKET, key }, body, 'text/plain');
      expect(await storage.getText({ bucket: BUCKET, key })).toBe(body);
      const [put, get] = received.slice(before);
      for (const request of [put, get]) {
        expect(request.target).toBe(path);
        expect(keyOf(request.target, BUCKET)).toBe(key);
        expect(verify(request)).toMatchObject({ ok: true });
      }
      // The AWS SDK (Node, which sends the key's dot segments as they are) finds the same object under the same key.
      const client = s3ClientFor(s3);
      const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(await object.Body?.transformToString()).toBe(body);
      client.destroy();
    });
  }

  it("store a key with !'()* under exactly that key", async () => {
    const key = "listed/c!'()*~ +=&%.png";
    await storage.putObject({ bucket: BUCKET, key }, 'listed', 'text/plain');
    const client = s3ClientFor(s3);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'listed/' }));
    client.destroy();
    expect(listed.Contents?.map((object) => object.Key)).toEqual([key]);
  });

  it('presign those keys so that the URL sent is the URL signed', async () => {
    for (const [key, path] of Object.entries(KEYS)) {
      await storage.putObject({ bucket: BUCKET, key }, `object named ${key}`, 'text/plain');
      const before = received.length;
      const answer = await fetch(await storage.presignGet({ bucket: BUCKET, key }));
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe(`object named ${key}`);
      const [get] = received.slice(before);
      expect(get.target.split('?')[0]).toBe(path);
      expect(verify(get)).toMatchObject({ ok: true });
    }
  });

  it('address a bucket whose name has dots path-style, as the AWS SDK does', async () => {
    const before = received.length;
    const location = { bucket: DOTTED_BUCKET, key: 'a/0.json' };
    await virtualHosted.putObject(location, '{"dotted":true}', 'application/json');
    expect(await virtualHosted.getJson(location)).toEqual({ dotted: true });
    const [put] = received.slice(before);
    expect(put.target).toBe('/stipple.results/a/0.json');
    expect(put.headers.host).toMatch(/^localhost:\d+$/);
    expect(verify(put)).toMatchObject({ ok: true });
  });

  it('address a one-label bucket on AWS virtual-hosted, and a dotted one path-style', async () => {
    const aws = new EdgeStorage({ region: 'eu-west-1', credentials: S3RVER_CREDENTIALS, clock: new FakeClock() });
    const plain = new URL(await aws.presignGet({ bucket: 'results', key: 'jobs/0.png' }));
    expect(`${plain.origin}${plain.pathname}`).toBe('https://results.s3.eu-west-1.amazonaws.com/jobs/0.png');
    const dotted = new URL(await aws.presignGet({ bucket: 'stipple.results', key: 'jobs/0.png' }));
    expect(`${dotted.origin}${dotted.pathname}`).toBe('https://s3.eu-west-1.amazonaws.com/stipple.results/jobs/0.png');
  });

  it('refuse a key that no URL can carry, naming it', async () => {
    for (const key of ['.', '..', '']) {
      const refused = storage.getText({ bucket: BUCKET, key });
      await expect(refused).rejects.toBeInstanceOf(AdapterValidationError);
      await expect(refused).rejects.toThrow(`object key ${JSON.stringify(key)} cannot be sent in a URL`);
    }
  });
});
