import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppContext } from '../http/app-context.ts';

/** The error envelope every 4xx and 5xx carries (errors/api-error.ts `toEnvelope`). */
const errorEnvelope = {
  type: 'object',
  description: "OpenAI's error envelope",
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'] },
        code: { type: 'string' },
      },
      required: ['message', 'type', 'param', 'code'],
    },
  },
};

const securitySchemes = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'A secret key (sk_live_…, sk_test_…) or a client token',
  },
  adminSecret: { type: 'http', scheme: 'bearer', description: "The deployment's ADMIN_SECRET" },
} as const;

/** Hono's pattern-constrained parameter (`{id{.+}}`, `:id{.+}` in Hono) as OpenAPI writes it: `{id}`. */
const openApiPath = (path: string) => path.replace(/\{(\w+)\{[^/]*?\}\}/g, '{$1}');

/**
 * The OpenAPI 3.1 description served at `/openapi.json`, generated from the routes the app registered with
 * `openapi(createRoute(…), handler)`: each route's declaration is its documentation.
 */
export function openApiDocument(api: OpenAPIHono<AppContext>, serverUrl: string) {
  const document = api.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Stipple API',
      version: '1',
      description: 'Text-to-image on Stable Diffusion. Authenticate with `Authorization: Bearer sk_live_…`.',
    },
    servers: [{ url: serverUrl }],
  });
  return {
    ...document,
    components: {
      ...document.components,
      securitySchemes,
      schemas: { ...document.components?.schemas, Error: errorEnvelope },
    },
    paths: Object.fromEntries(Object.entries(document.paths ?? {}).map(([path, item]) => [openApiPath(path), item])),
  };
}

/** The document's type, for what reads it (the `/docs` page). */
export type OpenApiDocument = ReturnType<typeof openApiDocument>;
