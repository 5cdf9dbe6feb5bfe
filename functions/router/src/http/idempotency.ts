import { bytesToHex } from '@stipple/jobs';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { idempotencyStore } from '../durable-objects.ts';
import { ApiError } from '../errors/api-error.ts';
import { callerListScope } from '../jobs/job-access.ts';
import type { StoredResponse } from '../tenancy/idempotency-store.ts';
import type { AppContext } from './app-context.ts';

/** Longest `Idempotency-Key`, characters (Stripe's limit). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const KEY_PATTERN = /^[\x20-\x7e]+$/;

/**
 * Response headers kept and replayed with an answer: those that describe the answer itself. Per-request headers
 * (`x-request-id`, `x-ratelimit-*`, CORS) are fresh on a replay, as they would be on any other request.
 */
export const REPLAYED_HEADERS = ['content-type', 'location', 'preference-applied'] as const;

function checkKey(key: string): void {
  if (key.length >= 1 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH && KEY_PATTERN.test(key)) return;
  const problem =
    key.length === 0
      ? 'is empty'
      : key.length > MAX_IDEMPOTENCY_KEY_LENGTH
        ? `is ${key.length} characters long`
        : 'has a character that is not printable ASCII';
  throw new ApiError(
    400,
    'invalid_idempotency_key',
    `the Idempotency-Key header ${problem}; use 1–${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters (space to ~), such as a UUID`,
    { param: 'Idempotency-Key' },
  );
}

/** SHA-256 of the method, path with query, and raw body: what "the same request" means. */
async function fingerprint(c: Context<AppContext>): Promise<string> {
  const url = new URL(c.req.url);
  // The raw bytes (a multipart body's files are binary), which HonoRequest caches: the route still reads the body as
  // text or form data after this.
  const head = new TextEncoder().encode(`${c.req.method} ${url.pathname}${url.search}\n`);
  const body = new Uint8Array(await c.req.arrayBuffer());
  const message = new Uint8Array(head.length + body.length);
  message.set(head);
  message.set(body, head.length);
  return bytesToHex(await crypto.subtle.digest('SHA-256', message));
}

async function snapshot(response: Response): Promise<StoredResponse> {
  const headers = REPLAYED_HEADERS.flatMap((name): [string, string][] => {
    const value = response.headers.get(name);
    return value === null ? [] : [[name, value]];
  });
  return { status: response.status, headers, body: await response.clone().text() };
}

/**
 * `Idempotency-Key` on a POST, with Stripe's semantics (https://docs.stripe.com/api/idempotent_requests), scoped to
 * the caller: the tenant's key, and for a client token its end user (or the token itself when it names none), the
 * same scope as the jobs the caller may list (`callerListScope`). So one caller never sees another's answer, whatever
 * key and body it sends. Mount it after `requireKey(…)`: `.post('/', requireKey('generate'), idempotent(), handler)`.
 *
 * - The same key with the same method, path and body: the first answer is replayed (status, body, `REPLAYED_HEADERS`)
 *   with `Idempotent-Replayed: true`, so a retried job is created, and charged, once.
 * - The same key with another request: `422 idempotency_key_reused`.
 * - The same key while its first request still runs: `409 idempotency_request_in_progress`.
 * - Every answer below 500 is kept, 4xx included (as Stripe keeps a declined charge): the same request would fail the
 *   same way. A 5xx, or a request that throws, is not kept: the failure is ours, so a retry with the key runs again.
 * - What a request creates is bound to its key the moment it exists (`c.get('idempotency').bind`), whatever the
 *   answer: a retry after a 5xx (`generation_pending`), a timeout or a crash runs again with `boundTo` and must use
 *   it rather than create another (`routes/create-job-once.ts`), so a job is created, and charged, once.
 * - Records are kept 24 hours from the first request.
 *
 * Requests without the header, and other methods, pass through untouched.
 */
export function idempotent() {
  return createMiddleware<AppContext>(async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined || c.req.method !== 'POST') return next();
    checkKey(key);
    const caller = c.get('caller');
    if (!caller) throw new Error('idempotent() needs the caller: mount it after requireKey()');
    const store = idempotencyStore(c.env, caller.tenantId);
    // A newline cannot occur in a key (printable ASCII only), so no two callers' scoped keys collide.
    const scopedKey = `${callerListScope(caller)}\n${key}`;
    const claim = await store.claim(scopedKey, await fingerprint(c));
    if (claim.outcome === 'mismatch') {
      throw new ApiError(
        422,
        'idempotency_key_reused',
        `Idempotency-Key "${key}" was first used with a different method, path or body; use a new key for a new request`,
        { param: 'Idempotency-Key' },
      );
    }
    if (claim.outcome === 'in_progress') {
      throw new ApiError(
        409,
        'idempotency_request_in_progress',
        `a request with Idempotency-Key "${key}" is still in progress; retry once it has finished`,
        { param: 'Idempotency-Key' },
      );
    }
    if (claim.outcome === 'completed') {
      const { status, headers, body } = claim.response;
      c.header('idempotent-replayed', 'true');
      return c.body(body, status as ContentfulStatusCode, Object.fromEntries(headers));
    }
    c.set('idempotency', {
      boundTo: claim.boundTo,
      bind: async (resource) => {
        await store.bind(scopedKey, claim.lease, resource);
      },
    });
    // The answer is kept for a replay when below 500; otherwise the key is freed for a retry.
    const record = async (response: StoredResponse | undefined) => {
      const kept = response !== undefined && (await store.complete(scopedKey, claim.lease, response));
      if (!kept) await store.abandon(scopedKey, claim.lease);
    };
    const run = async () => {
      try {
        await next();
      } catch (error) {
        await record(undefined);
        throw error;
      }
      return c.res.status < 500 ? snapshot(c.res) : undefined;
    };
    const answered = run();
    // The answer goes out as soon as it exists and is recorded after it, off the client's round trip: what it reports
    // (a job, its credits) is durable already; a retry in the few ms between is told 409, as while the request runs.
    // waitUntil also lets a request whose client hung up finish and record its answer for the retry. (Its error
    // reaches onError through the await below; the copy handed to waitUntil must not reject a second time.)
    const recorded = answered.then(record, () => undefined);
    const ctx = executionContext(c);
    if (ctx) ctx.waitUntil(recorded);
    await answered;
    if (!ctx) await recorded;
  });
}

function executionContext(c: Context<AppContext>): ExecutionContext | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined; // app.request() without an ExecutionContext, as in unit tests
  }
}
