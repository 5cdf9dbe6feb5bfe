import type { RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { requireKey } from '../auth/require-key.ts';
import type { AppContext } from '../http/app-context.ts';
import type { ApiScope } from '../tenancy/api-scopes.ts';

/** What every authenticated operation may answer besides its own responses. */
const COMMON_ERRORS = {
  400: 'Invalid request: the envelope names the field in `param`',
  401: 'Missing, unknown or revoked key',
  429: 'Rate limited; see Retry-After',
};

/** The error envelope's schema, a component of the document (openapi-document.ts). */
const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/**
 * A route's `security` and the middleware that enforces it, from one scope: an API key (or client token) holding
 * `scope`, then any further middleware (`idempotent()`), in the order they run.
 */
export function apiKeyAuth(scope: ApiScope, ...then: MiddlewareHandler<AppContext>[]) {
  return { security: [{ apiKey: [scope] }], middleware: [requireKey(scope), ...then] };
}

/** The admin secret; `requireAdmin` guards the admin apps as a whole (routes/admin-routes.ts, provider-routes.ts). */
export const ADMIN_SECURITY = [{ adminSecret: [] }];

/** JSON Schema of what a client sends (defaults are optional on input), without the draft's `$schema` line. */
function requestSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

/**
 * A JSON request body, documented from the zod schema its handler parses it with (`parseBody`). Given as JSON Schema,
 * not as zod, so that zod-openapi documents it without validating it: its validator would answer 415 to a body sent
 * without a JSON content type, its own 400 to malformed or empty JSON, and drop the sent values the API's messages
 * name, where `parseBody` keeps the API's envelope and wording.
 */
export function jsonBody(schema: z.ZodType) {
  return { required: true, content: { 'application/json': { schema: requestSchema(schema) } } };
}

/**
 * A multipart/form-data request body (files and fields, as OpenAI's image edits take them), documented the same way
 * from the zod schema its handler parses it with (`parseForm`); files show as binary strings.
 */
export function formBody(schema: z.ZodType) {
  return { required: true, content: { 'multipart/form-data': { schema: requestSchema(schema) } } };
}

/**
 * An operation's responses by status, each described in a line; the common errors are added, and every error
 * response carries the error envelope.
 */
export function responses(described: Record<number, string>): RouteConfig['responses'] {
  return Object.fromEntries(
    Object.entries({ ...described, ...COMMON_ERRORS }).map(([status, description]) => [
      status,
      Number(status) >= 400 ? { description, content: ERROR_CONTENT } : { description },
    ]),
  );
}
