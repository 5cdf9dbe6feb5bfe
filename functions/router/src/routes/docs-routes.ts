import type { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { docsPage } from '../openapi/docs-page.ts';
import { openApiDocument } from '../openapi/openapi-document.ts';

/**
 * `/openapi.json` (OpenAPI 3.1, generated from the routes `api` declares) and `/docs` (the same, readable); both open,
 * and neither is in the document itself.
 */
export function docsRoutes(api: OpenAPIHono<AppContext>) {
  return new Hono<AppContext>()
    .get('/openapi.json', (c) => c.json(openApiDocument(api, new URL(c.req.url).origin)))
    .get('/docs', (c) => {
      const origin = new URL(c.req.url).origin;
      return c.html(docsPage(origin, openApiDocument(api, origin)));
    });
}
