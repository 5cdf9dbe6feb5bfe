import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import type { KeyRecord } from '../tenancy/key-directory.ts';
import type { AppContext } from './app-context.ts';
import { handleError } from './error-handler.ts';
import { requestId } from './request-id.ts';
import { logRequest } from './request-log.ts';

const caller = { tenantId: 'acme', keyId: 'key_0123456789abcdef', mode: 'live', scopes: ['generate'] } as KeyRecord;

function app() {
  return new Hono<AppContext>()
    .use(requestId)
    .use(logRequest)
    .get('/v1/jobs/:id', (c) => {
      c.set('caller', caller);
      return c.json({ id: c.req.param('id') });
    })
    .get('/v1/boom', () => {
      throw new Error('database on fire: sk_live_secret');
    })
    .post('/v1/jobs', (c) => {
      c.set('caller', caller);
      throw new ApiError(402, 'insufficient_credits', 'this job costs 4 credits and 1 remain');
    })
    .onError(handleError);
}

function logged(spy: { mock: { calls: unknown[][] } }) {
  return spy.mock.calls.map(([line]) => JSON.parse(String(line))).filter((line) => line.event === 'request');
}

describe('logRequest', () => {
  afterEach(() => vi.restoreAllMocks());

  it('logs one JSON line per request with its id, route, status, caller and duration, never the query', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const response = await app().request('/v1/jobs/job_1?token=ct_secret', { headers: { 'x-request-id': 'req-42' } });
    expect(response.status).toBe(200);
    const [line] = logged(log);
    expect(line).toEqual({
      level: 'info',
      event: 'request',
      requestId: 'req-42',
      method: 'GET',
      path: '/v1/jobs/job_1',
      status: 200,
      ms: expect.any(Number),
      tenantId: 'acme',
      keyId: 'key_0123456789abcdef',
    });
    expect(JSON.stringify(log.mock.calls)).not.toContain('ct_secret');
  });

  it('names the error code of a refused request and logs unexpected failures as errors without their message', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await app().request('/v1/jobs', { method: 'POST' });
    await app().request('/v1/boom');
    const [refused, failed] = logged(log);
    expect(refused).toMatchObject({ level: 'warn', status: 402, code: 'insufficient_credits', tenantId: 'acme' });
    expect(failed).toMatchObject({ level: 'error', status: 500, code: 'internal_error', path: '/v1/boom' });
    expect(failed).not.toHaveProperty('tenantId');
    expect(JSON.stringify(log.mock.calls)).not.toContain('sk_live_secret');
  });
});
