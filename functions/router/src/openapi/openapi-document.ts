import { z } from 'zod';
import { jobRequestSchema } from '../jobs/job-request-schema.ts';
import { imageGenerationSchema } from '../openai/image-generation-schema.ts';
import { clientTokenRequestSchema } from '../routes/client-token-routes.ts';
import { rotateSecretRequestSchema } from '../routes/webhook-routes.ts';

/** One documented operation; request bodies come from the same zod schemas that validate them. */
export interface Operation {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  /** Who may call it: an API key with this scope, or the admin secret. */
  auth: 'generate' | 'read' | 'admin';
  body?: z.ZodType;
  responses: Record<string, string>;
}

const ERRORS = {
  '400': 'Invalid request: the envelope names the field in `param`',
  '401': 'Missing, unknown or revoked key',
  '429': 'Rate limited; see Retry-After',
};

export const OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/v1/jobs',
    summary: 'Create a job. 202 with Location; with `Prefer: wait=N` (≤ 60) the finished job when it ends in time.',
    auth: 'generate',
    body: jobRequestSchema,
    responses: { '200': 'The finished job', '202': 'The job, queued', '402': 'Not enough credits', ...ERRORS },
  },
  {
    method: 'get',
    path: '/v1/jobs',
    summary: "This key's jobs, newest first (`limit` ≤ 100, `after` = the previous page's `next_cursor`).",
    auth: 'read',
    responses: { '200': '`{ object: "list", data, has_more, next_cursor }`', ...ERRORS },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}',
    summary:
      'A job: status, progress, the values it ran with (`input`), outputs with fresh presigned URLs, seeds, the engine records (snake_case), usage.',
    auth: 'read',
    responses: { '200': 'The job', '404': 'No such job for this key', ...ERRORS },
  },
  {
    method: 'post',
    path: '/v1/jobs/{id}/cancel',
    summary: 'Cancel a job; it stops within a denoising step and its credits are released.',
    auth: 'generate',
    responses: { '200': 'The job', '404': 'No such job for this key', ...ERRORS },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/events',
    summary: 'Server-Sent Events: `progress`, `preview`, then the final state (`succeeded`, `failed`, …) with the job.',
    auth: 'read',
    responses: { '200': 'text/event-stream', '404': 'No such job for this key', ...ERRORS },
  },
  {
    method: 'post',
    path: '/v1/images/generations',
    summary:
      "OpenAI's image generation (OpenAI's SDKs work unchanged) plus `negative_prompt`, `steps`, `guidance`, `scheduler`, `seed`. A generation still running at the sync limit answers 504 `generation_pending` with `job_id`.",
    auth: 'generate',
    body: imageGenerationSchema,
    responses: { '200': '`{ created, data: [{ url } | { b64_json }] }`', '402': 'Not enough credits', ...ERRORS },
  },
  {
    method: 'get',
    path: '/v1/models',
    summary:
      "The models offered, in OpenAI's list shape, each with the sizes it draws (`WIDTHxHEIGHT`, its own first).",
    auth: 'read',
    responses: {
      '200': '`{ object: "list", data: [{ id, object: "model", created, owned_by, sizes }] }`',
      ...ERRORS,
    },
  },
  {
    method: 'get',
    path: '/v1/models/{id}',
    summary: 'One model offered (ids may hold slashes, `org/model`).',
    auth: 'read',
    responses: {
      '200': '`{ id, object: "model", created, owned_by, sizes }`',
      '404': 'The model is not offered; the message lists those that are',
      ...ERRORS,
    },
  },
  {
    method: 'post',
    path: '/v1/client-tokens',
    summary:
      'Mint a short-lived token (≤ 1 h) for a mobile or browser app, from your backend with a secret key: scoped, optionally capped in credits and bound to an end user; its jobs bill to you.',
    auth: 'generate',
    body: clientTokenRequestSchema,
    responses: { '201': '`{ token: "ct_…", expires_at, scopes, max_credits, end_user }`', ...ERRORS },
  },
  {
    method: 'get',
    path: '/v1/webhooks/secret',
    summary: 'The tenant\'s Standard Webhooks signing secret `{ key: "whsec_…" }` (secret keys only).',
    auth: 'generate',
    responses: { '200': '`{ key, previous_key_expires_at }`', '403': 'Client tokens cannot read it', ...ERRORS },
  },
  {
    method: 'post',
    path: '/v1/webhooks/secret/rotate',
    summary:
      'A new signing secret. Every attempt is signed with it and, for `grace_seconds` (default 24 h), with the previous one too.',
    auth: 'generate',
    body: rotateSecretRequestSchema,
    responses: {
      '200': '`{ key, previous_key_expires_at }`',
      '403': 'Client tokens cannot rotate it',
      ...ERRORS,
    },
  },
  {
    method: 'get',
    path: '/v1/webhooks/deliveries',
    summary:
      "The tenant's webhook messages, newest first, for debugging receivers: state, attempts, last status and error (`job_id` filters; `limit` ≤ 100, `after` = the previous page's `next_cursor`; secret keys only).",
    auth: 'generate',
    responses: {
      '200': '`{ object: "list", data, has_more, next_cursor }`',
      '403': 'Client tokens cannot read it',
      ...ERRORS,
    },
  },
  {
    method: 'get',
    path: '/v1/usage',
    summary: 'Calls, images, megapixel-steps, credits spent, reserved and remaining for this tenant.',
    auth: 'read',
    responses: { '200': 'Usage', ...ERRORS },
  },
  {
    method: 'post',
    path: '/v1/admin/tenants/{tenant_id}/keys',
    summary: 'Create an API key (shown once), or import one given as `key`. At most two active keys per tenant.',
    auth: 'admin',
    responses: { '201': 'The key', '409': 'Two keys are already active', ...ERRORS },
  },
  {
    method: 'get',
    path: '/v1/admin/tenants/{tenant_id}/keys',
    summary: "A tenant's keys, revoked ones included; never the keys themselves.",
    auth: 'admin',
    responses: {
      '200': '`{ object: "list", data: [{ id, hint, mode, scopes, created_at, revoked_at }] }`',
      ...ERRORS,
    },
  },
  {
    method: 'delete',
    path: '/v1/admin/tenants/{tenant_id}/keys/{key_id}',
    summary: 'Revoke a key: from this moment it authenticates nothing.',
    auth: 'admin',
    responses: { '200': '`{ id, revoked: true }`', '404': 'The tenant has no active key with this id', ...ERRORS },
  },
  {
    method: 'post',
    path: '/v1/admin/tenants/{tenant_id}/credits',
    summary: 'Grant credits to a tenant.',
    auth: 'admin',
    responses: { '200': 'The new balance', ...ERRORS },
  },
  {
    method: 'get',
    path: '/v1/admin/providers',
    summary: "Every GPU provider's health, checked now (the check jobs rely on).",
    auth: 'admin',
    responses: { '200': '`{ object: "list", checked_at, data: [{ id, healthy, detail }] }`', ...ERRORS },
  },
];

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

/** JSON Schema of what a client sends (defaults are optional on input), without the draft's `$schema` line. */
export function requestSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

/** The OpenAPI 3.1 description served at `/openapi.json`, built from the operations above. */
export function openApiDocument(serverUrl: string, operations: readonly Operation[] = OPERATIONS) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const parameters = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[operation.path] ??= {};
    paths[operation.path][operation.method] = {
      summary: operation.summary,
      security: [operation.auth === 'admin' ? { adminSecret: [] } : { apiKey: [operation.auth] }],
      ...(parameters.length > 0 && { parameters }),
      ...(operation.body && {
        requestBody: { required: true, content: { 'application/json': { schema: requestSchema(operation.body) } } },
      }),
      responses: Object.fromEntries(
        Object.entries(operation.responses).map(([status, description]) => [
          status,
          Number(status) >= 400
            ? { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
            : { description },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stipple API',
      version: '1',
      description: 'Text-to-image on Stable Diffusion. Authenticate with `Authorization: Bearer sk_live_…`.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A secret key (sk_live_…, sk_test_…) or a client token',
        },
        adminSecret: { type: 'http', scheme: 'bearer', description: "The deployment's ADMIN_SECRET" },
      },
      schemas: { Error: errorEnvelope },
    },
    paths,
  };
}
