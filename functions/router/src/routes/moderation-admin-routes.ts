import { $, createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { requireAdmin } from '../auth/require-admin.ts';
import { tenantAccount } from '../durable-objects.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { parseBody } from '../http/parse-body.ts';
import { END_USER_PATTERN } from '../keys/client-token.ts';
import { ADMIN_SECURITY, jsonBody, responses } from '../openapi/operation-parts.ts';
import { MODERATION_MODES, type ModerationOverrides, type ModerationPolicy } from '../safety/moderation-policy.ts';
import type { EndUserStanding } from '../tenancy/tenant-account.ts';
import { tenantIdOf, tenantPath } from './admin-routes.ts';

/** The most end users one listing shows, most blocked attempts first. */
const END_USER_LIST_LIMIT = 1000;

const mode = (what: string) =>
  z
    .enum(MODERATION_MODES)
    .nullable()
    .optional()
    .meta({ description: `${what}: off, flag or block; null = the deployment's default.` });

const moderationSchema = z.strictObject({
  prompts: mode('Prompt moderation'),
  images: mode("The model's image safety checker"),
  end_user_block_threshold: z.int().min(1).nullable().optional().meta({
    description:
      "Blocked attempts after which an end user's client tokens are refused; null = the deployment's default.",
  }),
});

const moderationRoute = (method: 'get' | 'put') =>
  createRoute({
    method,
    path: '/tenants/{tenant_id}/moderation',
    summary:
      method === 'get'
        ? "A tenant's content policy: prompt and image modes and the end-user threshold in force, and its own overrides."
        : "Set a tenant's content policy; fields left out stay, `null` returns a field to the deployment's default.",
    security: ADMIN_SECURITY,
    request: method === 'get' ? tenantPath : { ...tenantPath, body: jsonBody(moderationSchema) },
    responses: responses({
      200: '`{ object: "moderation_policy", tenant_id, prompts, images, end_user_block_threshold, overrides }`',
    }),
  });

const endUserPath = { params: tenantPath.params.extend({ end_user: z.string() }) };

const listEndUsersRoute = createRoute({
  method: 'get',
  path: '/tenants/{tenant_id}/end-users',
  summary: "A tenant's end users with blocked attempts, most first, and whether each is blocked.",
  security: ADMIN_SECURITY,
  request: tenantPath,
  responses: responses({ 200: '`{ object: "list", threshold, data: [{ end_user, blocked_attempts, blocked, … }] }`' }),
});

const resetEndUserRoute = createRoute({
  method: 'delete',
  path: '/tenants/{tenant_id}/end-users/{end_user}/blocked-attempts',
  summary: "Forget an end user's blocked attempts: their client tokens work again.",
  security: ADMIN_SECURITY,
  request: endUserPath,
  responses: responses({ 200: '`{ end_user, blocked_attempts: 0, blocked: false, reset }`' }),
});

function policyAnswer(
  tenantId: string,
  answer: { policy: ModerationPolicy; overrides: Required<ModerationOverrides> },
) {
  const { policy, overrides } = answer;
  return {
    object: 'moderation_policy',
    tenant_id: tenantId,
    prompts: policy.prompts,
    images: policy.images,
    end_user_block_threshold: policy.endUserBlockThreshold,
    overrides: {
      prompts: overrides.prompts,
      images: overrides.images,
      end_user_block_threshold: overrides.endUserBlockThreshold,
    },
  };
}

const standingAnswer = (standing: EndUserStanding) => ({
  end_user: standing.endUser,
  blocked_attempts: standing.blockedAttempts,
  blocked: standing.blocked,
});

function endUserOf(endUser: string): string {
  if (END_USER_PATTERN.test(endUser)) return endUser;
  throw new ApiError(400, 'invalid_request', `end user "${endUser.slice(0, 40)}" is not one a client token can name`, {
    param: 'end_user',
  });
}

/**
 * Content-safety administration for the operator, behind the admin secret (the CLI's `stipple-cli moderation …`): a
 * tenant's policy over the deployment's defaults, and its end users' blocked attempts (docs/SAFETY.md).
 */
export const moderationAdminRoutes = $(new OpenAPIHono<AppContext>().use(requireAdmin))
  .openapi(moderationRoute('get'), async (c) => {
    const tenantId = tenantIdOf(c.req.param('tenant_id'));
    return c.json(policyAnswer(tenantId, await tenantAccount(c.env, tenantId).moderationPolicy()));
  })
  .openapi(moderationRoute('put'), async (c) => {
    const tenantId = tenantIdOf(c.req.param('tenant_id'));
    const body = await parseBody(c, moderationSchema);
    const change: ModerationOverrides = {
      ...(body.prompts !== undefined && { prompts: body.prompts }),
      ...(body.images !== undefined && { images: body.images }),
      ...(body.end_user_block_threshold !== undefined && { endUserBlockThreshold: body.end_user_block_threshold }),
    };
    return c.json(policyAnswer(tenantId, await tenantAccount(c.env, tenantId).setModerationPolicy(change)));
  })
  .openapi(listEndUsersRoute, async (c) => {
    const tenantId = tenantIdOf(c.req.param('tenant_id'));
    const { threshold, endUsers } = await tenantAccount(c.env, tenantId).endUsers(END_USER_LIST_LIMIT);
    return c.json({
      object: 'list',
      tenant_id: tenantId,
      threshold,
      data: endUsers.map((record) => ({ ...standingAnswer(record), last_blocked_at: record.lastBlockedAt })),
    });
  })
  .openapi(resetEndUserRoute, async (c) => {
    const tenantId = tenantIdOf(c.req.param('tenant_id'));
    const endUser = endUserOf(c.req.param('end_user'));
    const account = tenantAccount(c.env, tenantId);
    const reset = await account.resetEndUser(endUser);
    return c.json({ ...standingAnswer(await account.endUserStanding(endUser)), reset });
  });
