import { AdapterValidationError, EdgeStorage, MAX_PRESIGN_TTL_SECONDS } from '@stipple/adapters';
import { StorageError } from '@stipple/jobs';
import { FakeClock } from '@stipple/test-support/fake-clock';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from '@stipple/test-support/s3-server';
import { verifySigV4 } from '@stipple/test-support/sigv4-verifier';
import { freePort } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BUCKET = 'results';
const SIGNED_AT = Date.UTC(2030, 0, 1);

let s3: S3Server;
let storage: EdgeStorage;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  storage = new EdgeStorage({ endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS });
});
afterAll(() => s3?.stop());

/** Checks a presigned request (a GET unless told) as S3 would, at time `now`, with the headers it sends. */
function verifyAt(url: string, now: number, method = 'GET', headers: Record<string, string> = {}) {
  const parsed = new URL(url);
  return verifySigV4(
    {
      method,
      target: `${parsed.pathname}${parsed.search}`,
      headers: { host: parsed.host, ...headers },
      body: new Uint8Array(),
    },
    {
      secrets: { [S3RVER_CREDENTIALS.accessKeyId]: S3RVER_CREDENTIALS.secretAccessKey },
      region: 'us-east-1',
      service: 's3',
      now,
    },
  );
}

describe('EdgeStorage presigned GET URLs', () => {
  const fixed = new EdgeStorage({
    endpoint: 'http://127.0.0.1:4568',
    credentials: S3RVER_CREDENTIALS,
    clock: new FakeClock(SIGNED_AT),
  });

  it('are SigV4 query-signed path-style URLs valid for one hour by default', async () => {
    const url = new URL(await fixed.presignGet({ bucket: BUCKET, key: 'jobs/acme/job 1/0.png' }));
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:4568/results/jobs/acme/job%201/0.png');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'S3RVER/20300101/us-east-1/s3/aws4_request',
      'X-Amz-Date': '20300101T000000Z',
      'X-Amz-Expires': '3600',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(verifyAt(url.toString(), SIGNED_AT)).toMatchObject({ ok: true, expiresAt: SIGNED_AT + 3_600_000 });
    expect(verifyAt(url.toString(), SIGNED_AT + 3_600_000)).toMatchObject({ ok: true });
    expect(verifyAt(url.toString(), SIGNED_AT + 3_601_000)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('take an expiry of 1 s to 7 days and refuse any other, naming it', async () => {
    const week = new URL(
      await fixed.presignGet({ bucket: BUCKET, key: 'a.png' }, { expiresInSeconds: MAX_PRESIGN_TTL_SECONDS }),
    );
    expect(week.searchParams.get('X-Amz-Expires')).toBe('604800');
    expect(verifyAt(week.toString(), SIGNED_AT + 604_800_000)).toMatchObject({ ok: true });
    expect(
      new URL(await fixed.presignGet({ bucket: BUCKET, key: 'a.png' }, { expiresInSeconds: 1 })).searchParams.get(
        'X-Amz-Expires',
      ),
    ).toBe('1');
    for (const expiresInSeconds of [0, 604_801, 1.5, -60]) {
      const refused = fixed.presignGet({ bucket: BUCKET, key: 'a.png' }, { expiresInSeconds });
      await expect(refused).rejects.toBeInstanceOf(AdapterValidationError);
      await expect(refused).rejects.toThrow(
        `expiresInSeconds ${expiresInSeconds} is out of range; use an integer 1–604800 (at most 7 days)`,
      );
    }
  });

  it('sign the response-content overrides, so they cannot be changed', async () => {
    const url = new URL(
      await fixed.presignGet(
        { bucket: BUCKET, key: 'a.png' },
        { responseContentDisposition: 'attachment; filename="cat.png"', responseContentType: 'image/png' },
      ),
    );
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="cat.png"');
    expect(verifyAt(url.toString(), SIGNED_AT)).toMatchObject({ ok: true });
    url.searchParams.set('response-content-type', 'text/html');
    expect(verifyAt(url.toString(), SIGNED_AT)).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('carry a session token, signed, for temporary credentials', async () => {
    const credentials = { ...S3RVER_CREDENTIALS, sessionToken: 'token/with+chars=' };
    const temporary = new EdgeStorage({
      endpoint: 'http://127.0.0.1:4568',
      credentials,
      clock: new FakeClock(SIGNED_AT),
    });
    const url = new URL(await temporary.presignGet({ bucket: BUCKET, key: 'a.png' }));
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('token/with+chars=');
    expect(verifyAt(url.toString(), SIGNED_AT)).toMatchObject({ ok: true });
  });

  it('are virtual-hosted on AWS S3 unless path style is asked for', async () => {
    const aws = new EdgeStorage({
      region: 'eu-west-1',
      credentials: S3RVER_CREDENTIALS,
      clock: new FakeClock(SIGNED_AT),
    });
    const url = new URL(await aws.presignGet({ bucket: BUCKET, key: 'jobs/0.png' }));
    expect(`${url.origin}${url.pathname}`).toBe('https://results.s3.eu-west-1.amazonaws.com/jobs/0.png');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('S3RVER/20300101/eu-west-1/s3/aws4_request');
  });

  it('fetch the object from a real S3 server, with the overridden headers', async () => {
    const body = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    await storage.putObject({ bucket: BUCKET, key: 'presigned/0.png' }, body, 'image/png');
    const plain = await fetch(await storage.presignGet({ bucket: BUCKET, key: 'presigned/0.png' }));
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('image/png');
    const overridden = await fetch(
      await storage.presignGet(
        { bucket: BUCKET, key: 'presigned/0.png' },
        {
          responseContentDisposition: 'attachment; filename="shape.png"',
          responseContentType: 'application/octet-stream',
        },
      ),
    );
    expect(overridden.status).toBe(200);
    expect(overridden.headers.get('content-disposition')).toBe('attachment; filename="shape.png"');
    expect(overridden.headers.get('content-type')).toBe('application/octet-stream');
  });
});

describe('EdgeStorage presigned PUT URLs', () => {
  const fixed = new EdgeStorage({
    endpoint: 'http://127.0.0.1:4568',
    credentials: S3RVER_CREDENTIALS,
    clock: new FakeClock(SIGNED_AT),
  });
  const upload = { contentType: 'image/png', contentLength: 1234, expiresInSeconds: 900 };

  it('sign Content-Type and Content-Length, so S3 takes no other type or size', async () => {
    const url = await fixed.presignPut({ bucket: BUCKET, key: 'inputs/acme/upl_1' }, upload);
    const params = new URL(url).searchParams;
    expect(params.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(params.get('X-Amz-Expires')).toBe('900');
    const sent = { 'content-type': 'image/png', 'content-length': '1234' };
    expect(verifyAt(url, SIGNED_AT, 'PUT', sent)).toMatchObject({ ok: true, expiresAt: SIGNED_AT + 900_000 });
    expect(verifyAt(url, SIGNED_AT, 'PUT', { ...sent, 'content-length': '99999' })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyAt(url, SIGNED_AT, 'PUT', { ...sent, 'content-type': 'text/html' })).toMatchObject({ ok: false });
    expect(verifyAt(url, SIGNED_AT, 'GET', sent)).toMatchObject({ ok: false });
    expect(verifyAt(url, SIGNED_AT + 901_000, 'PUT', sent)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('upload to a real S3 server, and the object reads back byte for byte', async () => {
    const body = Uint8Array.from({ length: 300 }, (_, index) => (index * 7) % 256);
    const location = { bucket: BUCKET, key: 'inputs/acme/upl_2' };
    const url = await storage.presignPut(location, { contentType: 'image/webp', contentLength: body.length });
    const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'image/webp' }, body });
    expect(put.status).toBe(200);
    expect(await storage.getBytes(location)).toEqual({ bytes: body, contentType: 'image/webp' });
  });
});

describe('EdgeStorage objects', () => {
  const manifest = {
    jobId: 'job-1',
    tenantId: 'acme',
    modelId: 'tiny-shapes',
    status: 'succeeded',
    outputs: [{ key: 'edge/acme/job-1/0.png', contentType: 'image/png', seed: 1, bytes: 10 }],
    records: [],
    timings: { queuedMs: 1, totalMs: 2 },
    createdAt: '2030-01-01T00:00:00.000Z',
  };
  const job = {
    jobId: 'job-1',
    tenantId: 'acme',
    output: { bucket: BUCKET, keyPrefix: 'edge', format: 'png' as const },
  };

  it('write JSON and read result manifests back, checked against the schema', async () => {
    expect(await storage.readManifest(job)).toBeUndefined();
    await storage.putObject(
      { bucket: BUCKET, key: 'edge/acme/job-1/result.json' },
      JSON.stringify(manifest),
      'application/json',
    );
    expect(await storage.readManifest(job)).toEqual(manifest);
    expect(await storage.getJson({ bucket: BUCKET, key: 'edge/acme/job-1/result.json' })).toEqual(manifest);
  });

  it('refuse a manifest of another shape, naming the field', async () => {
    const location = { bucket: BUCKET, key: 'edge/acme/job-2/result.json' };
    await storage.putObject(location, JSON.stringify({ ...manifest, status: 'running' }), 'application/json');
    const error = await storage.readManifest(location).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'storage_invalid_object', isRetryable: false });
    expect((error as Error).message).toMatch(
      /^GET s3:\/\/results\/edge\/acme\/job-2\/result\.json is not a result manifest \(status: /,
    );
  });

  it('write and read bytes, read nothing for a missing key, and stop reading at the size allowed', async () => {
    const location = { bucket: BUCKET, key: 'edge/acme/bytes.bin' };
    const body = Uint8Array.from({ length: 5000 }, (_, index) => index % 251);
    await storage.putObject(location, body, 'application/octet-stream');
    expect((await storage.getBytes(location, { maxBytes: 5000 }))?.bytes).toEqual(body);
    expect(await storage.getBytes({ bucket: BUCKET, key: 'edge/acme/none.bin' })).toBeUndefined();
    const error = await storage.getBytes(location, { maxBytes: 4999 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'storage_object_too_large' });
    expect((error as Error).message).toBe(
      'GET s3://results/edge/acme/bytes.bin is 5000 bytes, over the 4999 this read allows',
    );
  });

  it('report denied credentials and an unreachable store as storage errors', async () => {
    const stranger = new EdgeStorage({
      endpoint: s3.endpoint,
      credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'x' },
    });
    await expect(stranger.getJson({ bucket: BUCKET, key: 'a.json' })).rejects.toMatchObject({
      code: 'storage_denied',
      isRetryable: false,
    });
    const gone = new EdgeStorage({ endpoint: `http://127.0.0.1:${await freePort()}`, credentials: S3RVER_CREDENTIALS });
    const error = await gone
      .putObject({ bucket: BUCKET, key: 'a.json' }, '{}', 'application/json')
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'storage_unreachable', isRetryable: true });
    expect((error as Error).message).toMatch(/^PUT s3:\/\/results\/a\.json got no response/);
  });
});
