import { describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signRequest, TIMESTAMP_HEADER, verifyRequest } from './request-signature.ts';

const secret = 'a-shared-secret-of-some-length';
const timestamp = 1_800_000_000;
const request = { secret, method: 'post', path: '/v1/jobs', body: '{"jobId":"job_01"}' };
const at = (seconds: number) => () => (timestamp + seconds) * 1000;

describe('signRequest', () => {
  it('signs timestamp, method, path and body hash with HMAC-SHA256', async () => {
    const headers = await signRequest({ ...request, timestamp });
    // Computed independently: printf '1800000000\nPOST\n/v1/jobs\n%s' "$(printf '{"jobId":"job_01"}' | sha256sum | cut -d' ' -f1)" | openssl dgst -sha256 -hmac 'a-shared-secret-of-some-length'
    expect(headers[TIMESTAMP_HEADER]).toBe('1800000000');
    expect(headers[SIGNATURE_HEADER]).toBe('v1=8fc1a8149c7bd08899c2929e132a808bf46d7faaeaead1d44e24e00142b9fa2f');
  });
});

describe('verifyRequest', () => {
  it('accepts a signed request, with string or byte bodies and any header case', async () => {
    const headers = await signRequest({ ...request, timestamp });
    expect(await verifyRequest({ ...request, headers, now: at(0) })).toEqual({ ok: true });
    const bytes = new TextEncoder().encode(request.body);
    const fetchHeaders = new Headers({
      'X-Stipple-Timestamp': headers[TIMESTAMP_HEADER],
      'X-Stipple-Signature': headers[SIGNATURE_HEADER],
    });
    expect(await verifyRequest({ ...request, body: bytes, method: 'POST', headers: fetchHeaders, now: at(0) })).toEqual(
      { ok: true },
    );
  });

  it.each([
    ['body', { body: '{"jobId":"job_02"}' }],
    ['path', { path: '/v1/jobs/other' }],
    ['method', { method: 'PUT' }],
    ['secret', { secret: 'another-secret-entirely' }],
  ])('reports a mismatch when the %s changes', async (_, change) => {
    const headers = await signRequest({ ...request, timestamp });
    expect(await verifyRequest({ ...request, ...change, headers, now: at(0) })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('reports a mismatch when the timestamp header changes within the window', async () => {
    const headers = await signRequest({ ...request, timestamp });
    const changed = { ...headers, [TIMESTAMP_HEADER]: String(timestamp + 1) };
    expect(await verifyRequest({ ...request, headers: changed, now: at(0) })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('accepts 299 s of age and expires at 301 s, in either direction', async () => {
    const headers = await signRequest({ ...request, timestamp });
    expect(await verifyRequest({ ...request, headers, now: at(299) })).toEqual({ ok: true });
    expect(await verifyRequest({ ...request, headers, now: at(301) })).toEqual({ ok: false, reason: 'expired' });
    expect(await verifyRequest({ ...request, headers, now: at(-301) })).toEqual({ ok: false, reason: 'expired' });
  });

  it('keeps an old signature valid until validUntilSeconds, never a future-dated one', async () => {
    const headers = await signRequest({ ...request, timestamp });
    const validUntilSeconds = timestamp + 3600;
    expect(await verifyRequest({ ...request, headers, now: at(3000), validUntilSeconds })).toEqual({ ok: true });
    expect(await verifyRequest({ ...request, headers, now: at(3601), validUntilSeconds })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(await verifyRequest({ ...request, headers, now: at(-301), validUntilSeconds })).toEqual({
      ok: false,
      reason: 'expired',
    });
    // Still the signature decides: an old, altered request is a mismatch, not a pass.
    expect(await verifyRequest({ ...request, body: '{}', headers, now: at(3000), validUntilSeconds })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('reports missing headers', async () => {
    const headers = await signRequest({ ...request, timestamp });
    expect(await verifyRequest({ ...request, headers: {}, now: at(0) })).toEqual({ ok: false, reason: 'missing' });
    const withoutSignature = { [TIMESTAMP_HEADER]: headers[TIMESTAMP_HEADER] };
    expect(await verifyRequest({ ...request, headers: withoutSignature, now: at(0) })).toEqual({
      ok: false,
      reason: 'missing',
    });
  });

  it('reports malformed headers', async () => {
    const headers = await signRequest({ ...request, timestamp });
    for (const changed of [
      { ...headers, [TIMESTAMP_HEADER]: 'yesterday' },
      { ...headers, [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER].replace('v1=', 'v2=') },
      { ...headers, [SIGNATURE_HEADER]: `${headers[SIGNATURE_HEADER]}z` },
    ]) {
      expect(await verifyRequest({ ...request, headers: changed, now: at(0) })).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('rejects a tampered signature of a different length without throwing', async () => {
    const headers = await signRequest({ ...request, timestamp });
    for (const signature of [headers[SIGNATURE_HEADER].slice(0, -2), `${headers[SIGNATURE_HEADER]}00`, 'v1=00']) {
      const changed = { ...headers, [SIGNATURE_HEADER]: signature };
      expect(await verifyRequest({ ...request, headers: changed, now: at(0) })).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    }
  });
});
