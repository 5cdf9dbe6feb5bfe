import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from './app-context.ts';
import { allowCors } from './request-guards.ts';

/** A small app behind `allowCors`: a JSON answer, and an error answered by an error handler, as the router's. */
function app() {
  return new Hono<AppContext>()
    .use(allowCors)
    .get('/ok', (c) => c.json({ ok: true }))
    .get('/fails', () => {
      throw new ApiError(404, 'not_found', 'nothing here');
    })
    .onError((error, c) => c.json({ error: (error as Error).message }, 404));
}

const request = (path: string, init: RequestInit, origins?: string) =>
  app().request(path, init, origins === undefined ? {} : { CORS_ORIGINS: origins });

describe('allowCors', () => {
  it('allows any origin by default, on answers and on errors, and exposes the headers clients read', async () => {
    for (const path of ['/ok', '/fails']) {
      const response = await request(path, { headers: { origin: 'https://app.example.com' } });
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-expose-headers')).toBe(
        'location,x-request-id,retry-after,idempotent-replayed,preference-applied',
      );
      expect(response.headers.get('vary')).toBeNull();
    }
  });

  it('echoes a listed origin with Vary: Origin, and allows no other', async () => {
    const origins = 'https://app.example.com, https://b.example';
    const listed = await request('/ok', { headers: { origin: 'https://b.example' } }, origins);
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://b.example');
    expect(listed.headers.get('vary')).toBe('Origin');
    expect(await listed.json()).toEqual({ ok: true });
    const failed = await request('/fails', { headers: { origin: 'https://app.example.com' } }, origins);
    expect(failed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const stranger = await request('/ok', { headers: { origin: 'https://evil.example' } }, origins);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    expect(stranger.headers.get('access-control-expose-headers')).toBeNull();
    expect(stranger.headers.get('vary')).toBe('Origin');
  });

  it('answers preflights with the methods and headers allowed, for a listed origin only', async () => {
    const origins = 'https://app.example.com';
    const preflight = (origin: string) =>
      request('/ok', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } }, origins);
    const allowed = await preflight('https://app.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toBe(
      'authorization,content-type,idempotency-key,prefer,x-request-id',
    );
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(allowed.headers.get('access-control-max-age')).toBe('86400');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
