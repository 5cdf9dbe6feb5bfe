import { Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { docsPage } from '../openapi/docs-page.ts';
import { OPERATIONS, openApiDocument } from '../openapi/openapi-document.ts';

/** `/openapi.json` (OpenAPI 3.1 from the zod schemas) and `/docs` (the same, readable); both open. */
export const docsRoutes = new Hono<AppContext>()
  .get('/openapi.json', (c) => c.json(openApiDocument(new URL(c.req.url).origin)))
  .get('/docs', (c) => c.html(docsPage(new URL(c.req.url).origin, OPERATIONS)));
