import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { verifySigV4 } from '@stipple/test-support/sigv4-verifier';
import { describe, expect, it } from 'vitest';

const EXAMPLE_KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

interface SdkRequest {
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

/** The request the AWS SDK signs for GetObject, captured before it is sent. */
async function sdkGetObject(Bucket: string, Key: string) {
  let captured: SdkRequest | undefined;
  const client = new S3Client({
    region: 'us-east-1',
    credentials: EXAMPLE_KEY,
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: SdkRequest) => {
        captured = request;
        throw new Error('captured');
      },
    },
  });
  await client.send(new GetObjectCommand({ Bucket, Key })).catch(() => undefined);
  if (!captured) throw new Error('the SDK sent nothing');
  const query = new URLSearchParams(captured.query).toString();
  return { path: captured.path, query, headers: captured.headers };
}

/**
 * The verifier the SageMaker contract server and the presigned-URL tests trust, checked against AWS's own published
 * examples, so that it does not merely agree with the signer under test.
 */
describe('verifySigV4', () => {
  it('accepts the AWS SigV4 test suite’s get-vanilla request and rejects it altered', () => {
    const request = {
      method: 'GET',
      target: '/',
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      },
      body: new Uint8Array(),
    };
    const expected = {
      secrets: { AKIDEXAMPLE: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      region: 'us-east-1',
      service: 'service',
      now: Date.UTC(2015, 7, 30, 12, 36),
    };
    expect(verifySigV4(request, expected)).toMatchObject({ ok: true, accessKeyId: 'AKIDEXAMPLE' });
    expect(verifySigV4({ ...request, target: '/other' }, expected)).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifySigV4(request, { ...expected, secrets: { AKIDEXAMPLE: 'another' } })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySigV4(request, { ...expected, region: 'eu-west-1' })).toMatchObject({
      ok: false,
      reason: 'wrong_scope',
    });
    expect(verifySigV4(request, { ...expected, now: expected.now + 301_000 })).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(verifySigV4(request, { ...expected, secrets: {} })).toMatchObject({ ok: false, reason: 'unknown_key' });
  });

  it('accepts the Amazon S3 documentation’s presigned URL example until it expires', () => {
    const target =
      '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    const request = {
      method: 'GET',
      target,
      headers: { host: 'examplebucket.s3.amazonaws.com' },
      body: new Uint8Array(),
    };
    const expected = {
      secrets: { AKIAIOSFODNN7EXAMPLE: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      region: 'us-east-1',
      service: 's3',
      now: Date.UTC(2013, 4, 24, 12),
    };
    expect(verifySigV4(request, expected)).toMatchObject({ ok: true, expiresAt: Date.UTC(2013, 4, 25) });
    expect(verifySigV4(request, { ...expected, now: Date.UTC(2013, 4, 25, 0, 0, 1) })).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(verifySigV4({ ...request, target: target.replace('86400', '86401') }, expected)).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('reads S3 paths as S3 does: the key decoded, so a %2F sent is one of its slashes', async () => {
    const { path, query, headers } = await sdkGetObject('results', "dots/../b!'.png");
    // The AWS SDK sends the key's dot segments as they are, and signs that path.
    expect(path).toBe('/dots/../b%21%27.png');
    const request = (sent: string) => ({ method: 'GET', target: `${sent}?${query}`, headers, body: new Uint8Array() });
    const expected = { secrets: { AKIDEXAMPLE: EXAMPLE_KEY.secretAccessKey }, region: 'us-east-1', service: 's3' };
    const now = Date.now();
    expect(verifySigV4(request(path), { ...expected, now })).toMatchObject({ ok: true });
    expect(verifySigV4(request('/dots%2F..%2Fb%21%27.png'), { ...expected, now })).toMatchObject({ ok: true });
    expect(verifySigV4(request('/b%21%27.png'), { ...expected, now })).toMatchObject({ ok: false, reason: 'mismatch' });
  });
});
