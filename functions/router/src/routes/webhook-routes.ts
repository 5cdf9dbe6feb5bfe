import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { webhookOutbox } from '../durable-objects.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { parseBody } from '../http/parse-body.ts';
import { apiKeyAuth, jsonBody, responses } from '../openapi/operation-parts.ts';
import type { WebhookDelivery } from '../webhooks/webhook-delivery-log.ts';
import {
  DEFAULT_SECRET_GRACE_SECONDS,
  MAX_SECRET_GRACE_SECONDS,
  type WebhookSecretState,
} from '../webhooks/webhook-secret-store.ts';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

const graceError = (issue: { input?: unknown }) =>
  `grace_seconds ${JSON.stringify(issue.input)} is not allowed; use whole seconds 0–${MAX_SECRET_GRACE_SECONDS} (0 stops signing with the previous secret at once)`;

/** `POST /v1/webhooks/secret/rotate`; an empty body takes the default grace. */
export const rotateSecretRequestSchema = z.strictObject({
  grace_seconds: z
    .int({ error: graceError })
    .min(0, { error: graceError })
    .max(MAX_SECRET_GRACE_SECONDS, { error: graceError })
    .optional()
    .meta({ description: 'How long the replaced secret keeps signing beside the new one; default 86400 (a day).' }),
});

/**
 * The tenant's outbox, for a caller holding a secret key. The secret lets its holder forge deliveries to the tenant's
 * receivers, and the deliveries log names them and how they fail, so client tokens (which live in apps and browsers)
 * see neither.
 */
function secretKeyOutbox(c: Context<AppContext>, action: string) {
  const caller = c.get('caller');
  if (caller.clientToken) {
    throw new ApiError(
      403,
      'secret_key_required',
      `client tokens cannot ${action}; call this from your backend with a secret key`,
    );
  }
  // Signing secrets are credentials: never cached on the way.
  c.header('cache-control', 'no-store');
  return webhookOutbox(c.env, caller.tenantId);
}

const secretView = (state: WebhookSecretState) => ({
  key: state.key,
  previous_key_expires_at: state.previousKeyExpiresAt,
});

const deliveryView = (delivery: WebhookDelivery) => ({
  id: delivery.id,
  job_id: delivery.jobId,
  event: `job.${delivery.event}`,
  url_host: delivery.urlHost,
  state: delivery.state,
  attempts: delivery.attempts,
  last_status: delivery.lastStatus,
  last_error: delivery.lastError,
  next_attempt_at: delivery.nextAttemptAt,
  created_at: delivery.createdAt,
  delivered_at: delivery.deliveredAt,
});

function readLimit(raw: string | undefined): number {
  const limit = Number(raw ?? DEFAULT_PAGE_SIZE);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ApiError(400, 'invalid_limit', `limit ${raw} is not allowed; use 1–${MAX_PAGE_SIZE}`, { param: 'limit' });
  }
  return limit;
}

function readJobId(raw: string | undefined): string | undefined {
  if (raw === undefined || /^job_[0-9a-f]{32}$/.test(raw)) return raw;
  throw new ApiError(
    400,
    'invalid_job_id',
    `job_id ${raw.slice(0, 64)} is not a job id; job ids are job_ and 32 hex digits`,
    {
      param: 'job_id',
    },
  );
}

/** An opaque page cursor: the outbox position of the page's last message. */
const writeCursor = (seq: number) => btoa(`seq:${seq}`).replaceAll('=', '');

function readCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  let decoded = '';
  try {
    decoded = atob(cursor);
  } catch {
    // Falls through to the error below.
  }
  const seq = Number(/^seq:(\d{1,15})$/.exec(decoded)?.[1]);
  if (!Number.isSafeInteger(seq)) {
    throw new ApiError(
      400,
      'invalid_cursor',
      'after is not a cursor this API gave out; pass next_cursor back as it was',
      {
        param: 'after',
      },
    );
  }
  return seq;
}

const readSecretRoute = createRoute({
  method: 'get',
  path: '/secret',
  summary: 'The tenant\'s Standard Webhooks signing secret `{ key: "whsec_…" }` (secret keys only).',
  ...apiKeyAuth('generate'),
  responses: responses({ 200: '`{ key, previous_key_expires_at }`', 403: 'Client tokens cannot read it' }),
});

const rotateSecretRoute = createRoute({
  method: 'post',
  path: '/secret/rotate',
  summary:
    'A new signing secret. Every attempt is signed with it and, for `grace_seconds` (default 24 h), with the previous one too.',
  ...apiKeyAuth('generate'),
  request: { body: jsonBody(rotateSecretRequestSchema) },
  responses: responses({ 200: '`{ key, previous_key_expires_at }`', 403: 'Client tokens cannot rotate it' }),
});

const listDeliveriesRoute = createRoute({
  method: 'get',
  path: '/deliveries',
  summary:
    "The tenant's webhook messages, newest first, for debugging receivers: state, attempts, last status and error (`job_id` filters; `limit` ≤ 100, `after` = the previous page's `next_cursor`; secret keys only).",
  ...apiKeyAuth('generate'),
  responses: responses({
    200: '`{ object: "list", data, has_more, next_cursor }`',
    403: 'Client tokens cannot read it',
  }),
});

/**
 * `/v1/webhooks` (docs/router.md, "Webhooks"): the tenant's `whsec_` signing secret, its rotation with a grace, and
 * the deliveries log. All need the `generate` scope, the one that subscribes webhooks to jobs: whoever sets a webhook
 * is who verifies and debugs it, while a `read` key (a dashboard) has no need of a credential that can forge deliveries.
 */
export const webhookRoutes = new OpenAPIHono<AppContext>()
  .openapi(readSecretRoute, async (c) =>
    c.json(secretView(await secretKeyOutbox(c, 'read or rotate the webhook secret').secret())),
  )
  .openapi(rotateSecretRoute, async (c) => {
    const outbox = secretKeyOutbox(c, 'read or rotate the webhook secret');
    const { grace_seconds: graceSeconds = DEFAULT_SECRET_GRACE_SECONDS } = await parseBody(
      c,
      rotateSecretRequestSchema,
    );
    return c.json(secretView(await outbox.rotateSecret(graceSeconds)));
  })
  .openapi(listDeliveriesRoute, async (c) => {
    const outbox = secretKeyOutbox(c, 'read the webhook deliveries log');
    const page = await outbox.listDeliveries({
      jobId: readJobId(c.req.query('job_id')),
      limit: readLimit(c.req.query('limit')),
      beforeSeq: readCursor(c.req.query('after')),
    });
    const last = page.deliveries.at(-1);
    return c.json({
      object: 'list',
      data: page.deliveries.map(deliveryView),
      has_more: page.hasMore,
      next_cursor: page.hasMore && last ? writeCursor(last.seq) : null,
    });
  });
