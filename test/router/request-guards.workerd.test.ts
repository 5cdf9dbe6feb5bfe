import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_BODY_BYTES_BY_PATH } from '../../functions/router/src/http/request-guards.ts';
import { call, newTenant } from './router-fixture.ts';

describe('request guards', () => {
  it('answers 413 for an oversized body, with or without Content-Length', async () => {
    const { key } = await newTenant(1);
    const big = JSON.stringify({ prompt: 'x'.repeat(70_000) });
    const sized = await call('/v1/client-tokens', { method: 'POST', token: key, body: big });
    expect(sized.status).toBe(413);
    expect(await sized.json()).toMatchObject({
      error: {
        code: 'request_too_large',
        message: `the request body is over ${MAX_BODY_BYTES} bytes; send at most that`,
      },
    });
    // Jobs may carry two data URLs of input images, and no more.
    const jobLimit = MAX_BODY_BYTES_BY_PATH['/v1/jobs'];
    const tooBigJob = JSON.stringify({ prompt: 'x', image: `data:image/png;base64,${'A'.repeat(jobLimit)}` });
    const job = await call('/v1/jobs', { method: 'POST', token: key, body: tooBigJob });
    expect(job.status).toBe(413);
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(10_000)));
        controller.close();
      },
    });
    const chunked = await call('/v1/client-tokens', {
      method: 'POST',
      token: key,
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await (await call('/v1/usage', { token: key })).json()).toMatchObject({ calls: 0, credits_remaining: 1 });
  });

  it('answers CORS preflights for browsers and mobile web views', async () => {
    const preflight = await call('/v1/jobs', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    const actual = await call('/v1/usage', { headers: { origin: 'https://app.example.com' } });
    expect(actual.headers.get('access-control-allow-origin')).toBe('*');
    expect(actual.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });
});
