import { $, createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { requireAdmin } from '../auth/require-admin.ts';
import { keyDirectory, rateLimiter, tenantAccount } from '../durable-objects.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { rateLimitLeases } from '../http/enforce-rate-limit.ts';
import { parseBody } from '../http/parse-body.ts';
import { API_KEY_MODES, apiKeyFormatProblem, createApiKey, importApiKey } from '../keys/api-key.ts';
import { ADMIN_SECURITY, jsonBody, responses } from '../openapi/operation-parts.ts';
import { API_SCOPES } from '../tenancy/api-scopes.ts';
import { MAX_ACTIVE_KEYS } from '../tenancy/tenant-account.ts';
import { tenantRegionSchema } from '../tenancy/tenant-region.ts';

const TENANT_ID = /^[A-Za-z0-9_-]{1,128}$/;

const createKeySchema = z.strictObject({
  mode: z.enum(API_KEY_MODES).optional().meta({ description: "Default `live`, or the imported key's own." }),
  scopes: z
    .array(z.enum(API_SCOPES))
    .min(1)
    .default(['generate', 'read'])
    .meta({ description: 'What the key may do.' }),
  key: z
    .string()
    .superRefine((key, context) => {
      const problem = apiKeyFormatProblem(key);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .meta({
      description: "A key the operator made (the local stack's `DEV_API_KEY`), imported instead of a new one.",
    }),
  region: tenantRegionSchema,
});
const grantSchema = z.strictObject({
  credits: z.int().min(1).max(1_000_000_000).meta({ description: 'Credits to add to the balance.' }),
  region: tenantRegionSchema,
});

/** The tenant id of an admin path, checked (`invalid_tenant_id` names what is allowed). */
export function tenantIdOf(raw: string): string {
  if (TENANT_ID.test(raw)) return raw;
  throw new ApiError(
    400,
    'invalid_tenant_id',
    `tenant id "${raw.slice(0, 40)}" is not allowed; use 1–128 of A–Z a–z 0–9 _ -`,
    {
      param: 'tenant_id',
    },
  );
}

/** The `{tenant_id}` path parameter of the admin routes. */
export const tenantPath = { params: z.object({ tenant_id: z.string() }) };

const createKeyRoute = createRoute({
  method: 'post',
  path: '/tenants/{tenant_id}/keys',
  summary: 'Create an API key (shown once), or import one given as `key`. At most two active keys per tenant.',
  security: ADMIN_SECURITY,
  request: { ...tenantPath, body: jsonBody(createKeySchema) },
  responses: responses({ 201: 'The key', 409: 'Two keys are already active' }),
});

const listKeysRoute = createRoute({
  method: 'get',
  path: '/tenants/{tenant_id}/keys',
  summary: "A tenant's keys, revoked ones included; never the keys themselves.",
  security: ADMIN_SECURITY,
  request: tenantPath,
  responses: responses({ 200: '`{ object: "list", data: [{ id, hint, mode, scopes, created_at, revoked_at }] }`' }),
});

const revokeKeyRoute = createRoute({
  method: 'delete',
  path: '/tenants/{tenant_id}/keys/{key_id}',
  summary: 'Revoke a key: from this moment it authenticates nothing.',
  security: ADMIN_SECURITY,
  request: { params: tenantPath.params.extend({ key_id: z.string() }) },
  responses: responses({ 200: '`{ id, revoked: true }`', 404: 'The tenant has no active key with this id' }),
});

const grantCreditsRoute = createRoute({
  method: 'post',
  path: '/tenants/{tenant_id}/credits',
  summary: 'Grant credits to a tenant.',
  security: ADMIN_SECURITY,
  request: { ...tenantPath, body: jsonBody(grantSchema) },
  responses: responses({ 200: 'The new balance' }),
});

/** Key and credit administration for the operator, behind the admin secret (the CLI's `stipple keys …` calls these). */
export const adminRoutes = $(new OpenAPIHono<AppContext>().use(requireAdmin))
  .openapi(createKeyRoute, async (c) => {
    const tenantId = tenantIdOf(c.req.param('tenant_id'));
    const body = await parseBody(c, createKeySchema);
    const { key, digest, hint, mode } = body.key
      ? await importApiKey(body.key)
      : { ...(await createApiKey(body.mode ?? 'live')), mode: body.mode ?? 'live' };
    if (body.mode && body.mode !== mode) {
      throw new ApiError(400, 'invalid_request', `mode ${body.mode} does not match key ${hint}, a ${mode} key`, {
        param: 'mode',
      });
    }
    const { scopes } = body;
    const id = `key_${digest.slice(0, 16)}`;
    const directory = keyDirectory(c.env, digest);
    // Only an imported key can already be known (new ones carry 256 random bits); it must not change hands.
    if (body.key && (await directory.known(digest))) {
      throw new ApiError(409, 'key_exists', `key ${hint} is already in use or was revoked; import a key that is new`, {
        param: 'key',
      });
    }
    const account = tenantAccount(c.env, tenantId, body.region);
    const createdAt = new Date().toISOString();
    const added = await account.addKey({ id, digest, hint, mode, scopes, createdAt });
    if (!added.ok) {
      throw new ApiError(
        409,
        'too_many_keys',
        `tenant ${tenantId} already has ${added.active} active keys (at most ${MAX_ACTIVE_KEYS}); revoke one first`,
      );
    }
    await directory.register(digest, { keyId: id, tenantId, mode, scopes });
    // The only time the key itself leaves the service.
    return c.json({ id, key, hint, mode, scopes, tenant_id: tenantId, created_at: createdAt }, 201);
  })
  .openapi(listKeysRoute, async (c) => {
    const tenantId = tenantIdOf(c.req.param('tenant_id'));
    const account = tenantAccount(c.env, tenantId);
    const keys = await account.listKeys();
    return c.json({
      object: 'list',
      data: keys.map((key) => ({
        id: key.id,
        hint: key.hint,
        mode: key.mode,
        scopes: key.scopes,
        created_at: key.createdAt,
        revoked_at: key.revokedAt,
      })),
    });
  })
  .openapi(revokeKeyRoute, async (c) => {
    const tenantId = tenantIdOf(c.req.param('tenant_id'));
    const keyId = c.req.param('key_id');
    const account = tenantAccount(c.env, tenantId);
    const digest = await account.activeKeyDigest(keyId);
    if (!digest)
      throw new ApiError(404, 'unknown_key', `tenant ${tenantId} has no active key ${keyId}`, { param: 'key_id' });
    // The key's rate limiter first: every request of the key spends a token leased from it, cached key or not
    // (auth/key-cache.ts), so from this moment it leases the key none, and the key stops on this isolate at once and on
    // others when their leases end (LEASE_MS); then the directory, which answers a cache that misses.
    await rateLimiter(c.env, keyId).revoke();
    rateLimitLeases.forget(keyId);
    await keyDirectory(c.env, digest).revoke(digest);
    await account.markKeyRevoked(keyId, new Date().toISOString());
    return c.json({ id: keyId, revoked: true });
  })
  .openapi(grantCreditsRoute, async (c) => {
    const tenantId = tenantIdOf(c.req.param('tenant_id'));
    const { credits, region } = await parseBody(c, grantSchema);
    const account = tenantAccount(c.env, tenantId, region);
    const balance = await account.grant(credits);
    return c.json({ tenant_id: tenantId, granted: credits, credits_remaining: balance });
  });
