import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { bearerToken } from '../auth/bearer-token.ts';
import { tenantAccount } from '../durable-objects.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { parseBody } from '../http/parse-body.ts';
import { digestApiKey } from '../keys/api-key.ts';
import { END_USER_PATTERN, MAX_CLIENT_TOKEN_TTL_SECONDS, mintClientToken } from '../keys/client-token.ts';
import { randomHex } from '../keys/random-hex.ts';
import { apiKeyAuth, jsonBody, responses } from '../openapi/operation-parts.ts';
import { endUserBlockedError } from '../safety/end-user-blocked-error.ts';
import { API_SCOPES } from '../tenancy/api-scopes.ts';

export const clientTokenRequestSchema = z.strictObject({
  scopes: z.array(z.enum(API_SCOPES)).min(1).optional().meta({
    description:
      "What the app may do: generate and/or read jobs, each held by the minting key. Default: the key's scopes.",
  }),
  ttl_seconds: z
    .int()
    .min(60)
    .max(MAX_CLIENT_TOKEN_TTL_SECONDS)
    .default(900)
    .meta({ description: 'Lifetime, 60–3600 s.' }),
  max_credits: z.int().min(1).optional().meta({ description: 'Most credits jobs made with this token may hold.' }),
  end_user: z
    .string()
    .regex(END_USER_PATTERN)
    .optional()
    .meta({ description: "Your id for the app's user, shown on the jobs it makes." }),
});

const mintClientTokenRoute = createRoute({
  method: 'post',
  path: '/',
  summary:
    'Mint a short-lived token (≤ 1 h) for a mobile or browser app, from your backend with a secret key: scoped, optionally capped in credits and bound to an end user; its jobs bill to you.',
  ...apiKeyAuth('generate'),
  request: { body: jsonBody(clientTokenRequestSchema) },
  responses: responses({
    201: '`{ token: "ct_…", expires_at, scopes, max_credits, end_user }`',
    403: "`end_user_blocked`: the end user reached the tenant's blocked-attempts threshold",
  }),
});

/**
 * `POST /v1/client-tokens`: a customer's backend, holding a secret key, mints a short-lived token for its mobile or
 * browser app, so the app never embeds the secret. Jobs made with it are billed to this tenant.
 */
export const clientTokenRoutes = new OpenAPIHono<AppContext>().openapi(mintClientTokenRoute, async (c) => {
  const caller = c.get('caller');
  if (caller.clientToken) {
    throw new ApiError(
      403,
      'secret_key_required',
      'client tokens cannot mint client tokens; call this from your backend',
    );
  }
  const secret = c.env.TOKEN_SIGNING_SECRET ?? '';
  if (secret.length < 32) {
    throw new ApiError(503, 'client_tokens_disabled', 'client tokens are disabled: TOKEN_SIGNING_SECRET is not set');
  }
  const request = await parseBody(c, clientTokenRequestSchema);
  const scopes = request.scopes ?? caller.scopes;
  const beyond = scopes.filter((scope) => !caller.scopes.includes(scope));
  if (beyond.length > 0) {
    throw new ApiError(
      403,
      'missing_scope',
      `scopes ${beyond.join(', ')} are not held by this key; a client token may hold only its key's scopes (${caller.scopes.join(', ')})`,
      { param: 'scopes' },
    );
  }
  if (request.end_user !== undefined) {
    // An end user the tenant's policy blocked gets no new token (their jobs are refused too: create-job.ts).
    const standing = await tenantAccount(c.env, caller.tenantId).endUserStanding(request.end_user);
    if (standing.blocked) throw endUserBlockedError(standing);
  }
  // The caller authenticated with this secret key a moment ago (client tokens were refused above).
  const digest = await digestApiKey(bearerToken(c.req.header('authorization')) ?? '');
  const expiresAt = Math.floor(Date.now() / 1000) + request.ttl_seconds;
  const id = randomHex(8);
  const token = await mintClientToken(secret, {
    id,
    tenantId: caller.tenantId,
    keyId: caller.keyId,
    keyDigest: digest,
    scopes,
    expiresAt,
    ...(request.max_credits !== undefined && { maxCredits: request.max_credits }),
    ...(request.end_user !== undefined && { endUser: request.end_user }),
  });
  return c.json(
    {
      object: 'client_token',
      token,
      expires_at: new Date(expiresAt * 1000).toISOString(),
      scopes,
      max_credits: request.max_credits ?? null,
      end_user: request.end_user ?? null,
    },
    201,
  );
});
