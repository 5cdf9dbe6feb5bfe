import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppContext } from './app-context.ts';
import { handleError } from './error-handler.ts';
import { requestId } from './request-id.ts';

/** What workerd throws when a Durable Object refuses a call for its queue (the runtime sets `overloaded`). */
function overloaded(): Error {
  return Object.assign(new Error('Durable Object is overloaded. Too many requests queued.'), {
    overloaded: true,
    retryable: false,
  });
}

function app(error: () => Error) {
  return new Hono<AppContext>()
    .use(requestId)
    .get('/v1/models', () => {
      throw error();
    })
    .onError(handleError);
}

describe('handleError', () => {
  afterEach(() => vi.restoreAllMocks());

  it('answers an overloaded Durable Object with 503 overloaded and Retry-After, logged as a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const response = await app(overloaded).request('/v1/models');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('overloaded');
    expect(error.message).toContain('retry in 1 s');
    expect(JSON.parse(String(warn.mock.calls[0][0]))).toMatchObject({ level: 'warn', event: 'object_overloaded' });
  });

  it('keeps any other unexpected error a masked 500', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await app(() => Object.assign(new Error('disk on fire'), { overloaded: false })).request(
      '/v1/models',
    );
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('internal_error');
    expect(error.message).not.toContain('disk');
    expect(logged).toHaveBeenCalledOnce();
  });
});
