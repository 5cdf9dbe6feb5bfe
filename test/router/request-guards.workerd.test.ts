import { describe, expect, it } from 'vitest';
import { call, newTenant } from './router-fixture.ts';

describe('request guards', () => {
  it('answers 413 for an oversized body, with or without Content-Length', async () => {
    const { key } = await newTenant(1);
    const big = JSON.stringify({ prompt: 'x'.repeat(70_000) });
    const sized = await call('/v1/jobs', { method: 'POST', token: key, body: big });
    expect(sized.status).toBe(413);
    expect(((await sized.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(10_000)));
        controller.close();
      },
    });
    const chunked = await call('/v1/jobs', { method: 'POST', token: key, body: chunks, duplex: 'half' } as RequestInit);
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
