import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StorageError } from '@stipple/jobs';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from '@stipple/test-support/s3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeMetadataValue,
  encodeMetadataValue,
  METADATA_VALUE_LIMIT_BYTES,
  ResultStore,
  TRUNCATION_MARKER,
} from './result-store.ts';
import { createS3Client, readS3Config } from './s3-config.ts';

const BUCKET = 'results';
/** Fail fast in tests that expect failures: one attempt, short timeouts. */
const FAIL_FAST = { maxAttempts: 1, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } };

/** A client for a stand-in store at `endpoint` (a closed port, a fake), signing as s3rver's account. */
function clientFor(endpoint: string, clientOptions = {}): S3Client {
  const { accessKeyId, secretAccessKey } = S3RVER_CREDENTIALS;
  const env = { S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey };
  return createS3Client(readS3Config(env), clientOptions);
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

// s3rver 3.7 ignores If-None-Match on PUT (it honours it only on GET/HEAD, answering 304) and overwrites the object,
// so the store's HEAD-before-PUT path runs against it, with S3_CONDITIONAL_WRITES=false as a deployment would set.
describe('ResultStore against s3rver (conditional writes off)', () => {
  let server: S3Server;
  let client: S3Client;
  let store: ResultStore;
  const body = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 7]);

  beforeAll(async () => {
    server = await startS3Server({ buckets: [BUCKET] });
    const config = readS3Config(server.env);
    expect(config.conditionalWrites).toBe(false);
    client = createS3Client(config);
    store = new ResultStore(client, { conditionalWrites: config.conditionalWrites });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  async function read(key: string) {
    const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { ...response, bytes: await response.Body!.transformToByteArray() };
  }

  it('writes the exact bytes, content type and metadata once', async () => {
    const record = JSON.stringify({ seed: 42, steps: 20, scheduler: 'euler-ancestral' });
    const result = await store.putOnce({
      bucket: BUCKET,
      key: 'jobs/a/image.png',
      body,
      contentType: 'image/png',
      metadata: { 'stipple-record': record, 'job-id': 'a' },
    });
    expect(result).toEqual({ written: true });
    const stored = await read('jobs/a/image.png');
    expect(stored.bytes).toEqual(body);
    expect(stored.ContentType).toBe('image/png');
    expect(stored.Metadata).toEqual({ 'stipple-record': record, 'job-id': 'a' });
  });

  it('leaves an existing object unchanged and reports written: false', async () => {
    const location = { bucket: BUCKET, key: 'jobs/b/image.png' };
    await store.putOnce({ ...location, body, contentType: 'image/png', metadata: {} });
    const second = await store.putOnce({
      ...location,
      body: new Uint8Array([1, 2, 3]),
      contentType: 'text/plain',
      metadata: { other: 'x' },
    });
    expect(second).toEqual({ written: false });
    const stored = await read(location.key);
    expect(stored.bytes).toEqual(body);
    expect(stored.ContentType).toBe('image/png');
    expect(stored.Metadata).toEqual({});
  });

  it('round-trips non-ASCII metadata through ASCII headers', async () => {
    const prompt = 'a café at night, 東京, 🌃 — 100% "quoted"';
    await store.putOnce({
      bucket: BUCKET,
      key: 'jobs/c/image.png',
      body,
      contentType: 'image/png',
      metadata: { prompt },
    });
    const stored = await read('jobs/c/image.png');
    expect(stored.Metadata?.prompt).toMatch(/^[\x21-\x7e]+$/);
    expect(decodeMetadataValue(stored.Metadata!.prompt)).toBe(prompt);
  });

  it("refuses metadata over S3's 2 KB before writing anything", async () => {
    const location = { bucket: BUCKET, key: 'jobs/g/image.png' };
    const metadata = { first: 'x'.repeat(1_200), second: 'y'.repeat(1_200) };
    const error = await caught(store.putOnce({ ...location, body, contentType: 'image/png', metadata }));
    expect(error).toMatchObject({ code: 'storage_metadata_too_large', isRetryable: false });
    expect(await store.exists(location)).toBe(false);
  });

  it('reports whether a key exists', async () => {
    expect(await store.exists({ bucket: BUCKET, key: 'jobs/a/image.png' })).toBe(true);
    expect(await store.exists({ bucket: BUCKET, key: 'jobs/none/image.png' })).toBe(false);
  });

  it('reads JSON back, and undefined for a missing key', async () => {
    const record = { seed: 7, prompt: 'fox' };
    const json = new TextEncoder().encode(JSON.stringify(record));
    await store.putOnce({
      bucket: BUCKET,
      key: 'jobs/d/result.json',
      body: json,
      contentType: 'application/json',
      metadata: {},
    });
    expect(await store.getJson({ bucket: BUCKET, key: 'jobs/d/result.json' })).toEqual(record);
    expect(await store.getJson({ bucket: BUCKET, key: 'jobs/none/result.json' })).toBeUndefined();
  });

  it('fails with a non-retryable storage_failed naming the bucket when the bucket is missing', async () => {
    const error = await caught(
      store.putOnce({ bucket: 'no-such-bucket', key: 'k', body, contentType: 'image/png', metadata: {} }),
    );
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'storage_failed', isRetryable: false });
    expect((error as Error).message).toMatch(/s3:\/\/no-such-bucket\/k/);
  });
});

describe('ResultStore with an unreachable store', () => {
  it('throws a retryable storage_unreachable naming the bucket and key', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const client = clientFor(`http://127.0.0.1:${port}`, FAIL_FAST);
    const store = new ResultStore(client, { conditionalWrites: true });

    const error = await caught(
      store.putOnce({
        bucket: BUCKET,
        key: 'jobs/e/image.png',
        body: new Uint8Array([1]),
        contentType: 'image/png',
        metadata: {},
      }),
    );
    client.destroy();
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'storage_unreachable', isRetryable: true });
    expect((error as Error).message).toMatch(/PutObject s3:\/\/results\/jobs\/e\/image\.png .*ECONNREFUSED/);
  });
});

// s3rver cannot exercise the conditional path (see above), so a minimal HTTP server stands in for S3 at the wire:
// it records each request and answers with the status and documented S3 XML error body
// (<Error><Code>…</Code><Message>…</Message></Error>, S3 API Reference, "Error responses").
describe('ResultStore with conditional writes, against S3 error responses', () => {
  let fake: Server;
  let endpoint: string;
  let answer = { status: 200, code: '' };
  const requests: { method?: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    fake = createServer((request, response) => {
      requests.push({ method: request.method, headers: request.headers });
      request.resume().on('end', () => {
        if (answer.status === 200) return response.writeHead(200, { ETag: '"etag"' }).end();
        response.writeHead(answer.status, { 'Content-Type': 'application/xml' });
        response.end(`<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>${answer.code}</Code><Message>answer ${answer.code}</Message><RequestId>r</RequestId></Error>`);
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    fake.closeAllConnections();
    await new Promise((resolve) => fake.close(resolve));
  });

  async function putWith(status: number, code: string) {
    answer = { status, code };
    requests.length = 0;
    const client = clientFor(endpoint, FAIL_FAST);
    try {
      return await new ResultStore(client, { conditionalWrites: true }).putOnce({
        bucket: BUCKET,
        key: 'jobs/f/image.png',
        body: new Uint8Array([1]),
        contentType: 'image/png',
        metadata: {},
      });
    } finally {
      client.destroy();
    }
  }

  it('sends one PUT with If-None-Match: * and reports a success as written', async () => {
    expect(await putWith(200, '')).toEqual({ written: true });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'PUT', headers: { 'if-none-match': '*' } });
  });

  it('reports 412 PreconditionFailed and 409 ConditionalRequestConflict as written: false', async () => {
    expect(await putWith(412, 'PreconditionFailed')).toEqual({ written: false });
    expect(await putWith(409, 'ConditionalRequestConflict')).toEqual({ written: false });
  });

  it('maps 403 to storage_denied and 503 to a retryable storage_failed', async () => {
    expect(await caught(putWith(403, 'AccessDenied'))).toMatchObject({ code: 'storage_denied', isRetryable: false });
    const unavailable = await caught(putWith(503, 'ServiceUnavailable'));
    expect(unavailable).toMatchObject({ code: 'storage_failed', isRetryable: true });
    expect((unavailable as Error).message).toMatch(/ServiceUnavailable.*HTTP 503/);
  });
});

describe('encodeMetadataValue', () => {
  it('keeps compact JSON readable and encodes only what headers cannot carry', () => {
    expect(encodeMetadataValue('{"seed":1,"p":"a b%"}')).toBe('{"seed":1,"p":"a%20b%25"}');
  });

  it('truncates a long value at a character boundary with a marker', () => {
    const long = 'é'.repeat(2_000);
    const encoded = encodeMetadataValue(long);
    expect(encoded.length).toBeLessThanOrEqual(METADATA_VALUE_LIMIT_BYTES);
    const decoded = decodeMetadataValue(encoded);
    expect(decoded.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(decoded.slice(0, -TRUNCATION_MARKER.length)).toMatch(/^é+$/);
  });
});
