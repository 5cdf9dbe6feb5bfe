import { describe, expect, it } from 'vitest';
import { signRequest, verifyRequest } from './request-signature.ts';
import { formatSignatureAttributes, parseSignatureAttributes } from './signature-attributes.ts';

describe('signature custom attributes', () => {
  it('carry the worker signature so that it verifies once read back', async () => {
    const request = { secret: 'a-secret-of-sixteen+', method: 'POST', path: '/invocations', body: '{"jobId":"a"}' };
    const headers = await signRequest({ ...request, timestamp: 1_800_000_000 });
    const attributes = formatSignatureAttributes(headers);
    expect(attributes).toMatch(/^x-stipple-timestamp=1800000000;x-stipple-signature=v1=[0-9a-f]{64}$/);
    expect(attributes.length).toBeLessThanOrEqual(1024);
    const read = parseSignatureAttributes(attributes);
    expect(read).toEqual(headers);
    expect(await verifyRequest({ ...request, headers: read, now: () => 1_800_000_000_000 })).toEqual({ ok: true });
    // What the container sees behind SageMaker: only the custom attributes header.
    const forwarded = { 'x-amzn-sagemaker-custom-attributes': attributes };
    expect(await verifyRequest({ ...request, headers: forwarded, now: () => 1_800_000_000_000 })).toEqual({ ok: true });
    const tampered = { 'x-amzn-sagemaker-custom-attributes': attributes.replace(/.$/, (c) => (c === '0' ? '1' : '0')) };
    expect(await verifyRequest({ ...request, headers: tampered, now: () => 1_800_000_000_000 })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('reads nothing from absent or foreign attributes', () => {
    expect(parseSignatureAttributes(undefined)).toEqual({});
    expect(parseSignatureAttributes('trace=abc;x-other=1')).toEqual({});
  });
});
