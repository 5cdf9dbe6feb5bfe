import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { handleError } from './error-handler.ts';
import { rejectInvalidRequest } from './validation-hook.ts';

const pageRoute = createRoute({
  method: 'get',
  path: '/pages/{page}',
  request: {
    params: z.object({ page: z.string().regex(/^\d+$/) }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).optional() }),
  },
  responses: { 200: { description: 'A page' } },
});

const app = new OpenAPIHono({ defaultHook: rejectInvalidRequest })
  .openapi(pageRoute, (c) => c.json({ limit: c.req.valid('query').limit ?? null }))
  .onError(handleError as never);

describe('rejectInvalidRequest', () => {
  it('lets a valid request through to the handler', async () => {
    const response = await app.request('/pages/1?limit=5');
    expect([response.status, await response.json()]).toEqual([200, { limit: 5 }]);
  });

  it('answers a rejected query parameter with the error envelope, naming the field and the text sent', async () => {
    const response = await app.request('/pages/1?limit=500');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: 'limit "500" is out of range; use at most 100',
        type: 'invalid_request_error',
        param: 'limit',
        code: 'invalid_request',
      },
    });
  });

  it('answers a rejected path parameter the same way', async () => {
    const response = await app.request('/pages/first');
    expect(await response.json()).toMatchObject({
      error: { param: 'page', code: 'invalid_request', message: 'page "first" is not a valid regex' },
    });
  });
});
