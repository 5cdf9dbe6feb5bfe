/**
 * Durable Object round trips per request type, counted on the real router in workerd: every namespace binding is
 * wrapped so each call on one of its stubs (one RPC, one round trip to wherever the object lives) is recorded. The
 * counts must be those docs/ARCHITECTURE.md publishes ("Durable Object round trips per request"), so the table cannot
 * drift from the code; the table says which meet their goal (issue 20: reads one round trip, job creation three).
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { signRequest } from '@stipple/jobs';
import { describe, expect, inject, it } from 'vitest';
import { createApp } from '../../functions/router/src/app.ts';
import type { Env } from '../../functions/router/src/env.ts';
import { rateLimitLeases } from '../../functions/router/src/http/enforce-rate-limit.ts';
import { callbackToken, jobEventsPath } from '../../functions/router/src/jobs/job-callback.ts';
import { newTenant, waitForJobState } from './router-fixture.ts';

/** Each Durable Object binding (wrangler.jsonc) and the class it holds. */
const CLASSES: Record<string, string> = {
  JOB_RUNS: 'JobRun',
  TENANT_ACCOUNTS: 'TenantAccount',
  KEY_DIRECTORY: 'KeyDirectory',
  IDEMPOTENCY_STORES: 'IdempotencyStore',
  RATE_LIMITERS: 'RateLimiter',
  WEBHOOK_OUTBOXES: 'WebhookOutbox',
  PROVIDER_HEALTH: 'ProviderHealth',
};

/** What one request's answer waited for from Durable Objects. */
interface Trips {
  /** Every call that had answered by the time the response did, in the order made, as `Class.method`. */
  calls: string[];
  /**
   * Round trips in sequence: the longest chain of those calls, each made after the one before it had answered (a call
   * made while others are still out shares their round trip).
   */
  rounds: number;
}

interface Call {
  name: string;
  depth: number;
  answered: boolean;
}

/** The router's env with every object call it makes written to `calls`. */
function countingEnv(calls: Call[]): Env {
  // The longest chain among the calls that have answered so far: a call made now comes after them.
  let answeredDepth = 0;
  const wrapped: Record<string, unknown> = { ...env };
  for (const [binding, className] of Object.entries(CLASSES)) {
    const namespace = env[binding as keyof Env] as unknown as DurableObjectNamespace;
    wrapped[binding] = new Proxy(namespace, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (property !== 'get' || typeof value !== 'function')
          return typeof value === 'function' ? value.bind(target) : value;
        return (...args: Parameters<DurableObjectNamespace['get']>) => {
          const stub = target.get(...args);
          return new Proxy(stub, {
            get(stubTarget, method) {
              const member = Reflect.get(stubTarget, method);
              if (typeof method !== 'string' || typeof member !== 'function') return member;
              return (...callArgs: unknown[]) => {
                const call: Call = { name: `${className}.${method}`, depth: answeredDepth + 1, answered: false };
                calls.push(call);
                const result = (stubTarget as unknown as Record<string, (...a: unknown[]) => unknown>)[method](
                  ...callArgs,
                );
                // The caller resumes only after this is noted, so what it calls next counts as after this call.
                return Promise.resolve(result).finally(() => {
                  call.answered = true;
                  answeredDepth = Math.max(answeredDepth, call.depth);
                });
              };
            },
          });
        };
      },
    });
  }
  return wrapped as unknown as Env;
}

/**
 * One request through the router, and the object calls its answer waited for: those that had answered when the
 * response was complete (what a request leaves to waitUntil, such as recording an idempotent answer, is not the
 * client's wait).
 */
async function hops(path: string, init: RequestInit & { token?: string } = {}) {
  const calls: Call[] = [];
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const ctx = createExecutionContext();
  const response = await createApp().request(
    `https://api.stipple.test${path}`,
    { ...init, headers },
    countingEnv(calls),
    ctx,
  );
  const body = await response.text();
  const waited = calls.filter((call) => call.answered);
  const trips: Trips = {
    calls: waited.map((call) => call.name),
    rounds: Math.max(0, ...waited.map((call) => call.depth)),
  };
  await waitOnExecutionContext(ctx);
  return { status: response.status, body, trips };
}

/** The table docs/ARCHITECTURE.md publishes: request → its object calls, in order, and round trips in sequence. */
function publishedTable(): Map<string, Trips> {
  const section =
    inject('routerArchitectureDoc').split('### Durable Object round trips per request')[1]?.split('\n#')[0] ?? '';
  const rows = new Map<string, Trips>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 6 || !cells[1].startsWith('`')) continue;
    const calls = cells[2] === 'none' ? [] : cells[2].split(', ').map((call) => call.replaceAll('`', ''));
    rows.set(cells[1], { calls, rounds: Number(cells[3]) });
  }
  return rows;
}

const job = (steps = 4) => JSON.stringify({ prompt: 'a red circle on a blue background', steps });

describe('Durable Object round trips per request (docs/ARCHITECTURE.md)', () => {
  it('are the ones the table publishes, and within their goals', async () => {
    const { key, keyId, tenantId } = await newTenant(100);
    const measured = new Map<string, Trips>();
    const record = async (label: string, request: () => ReturnType<typeof hops>, status: number) => {
      // Each row but the leased ones is a request whose isolate holds none of the key's rate-limit tokens: it asks the
      // key's limiter (http/rate-limit-leases.ts), as a quiet key's every request does.
      rateLimitLeases.forget(keyId);
      const result = await request();
      expect(result.status, `${label}: ${result.body}`).toBe(status);
      measured.set(label, result.trips);
      return result;
    };
    /** `request` as the key's third in an isolate that held none of its tokens: the second leased its token ahead. */
    const leased = async (request: () => ReturnType<typeof hops>) => {
      await hops('/v1/models', { token: key });
      await hops('/v1/models', { token: key });
      return request();
    };

    // A key's first request in an isolate asks the directory; later ones find the key in the isolate's cache.
    await record('`GET /v1/models` (first use of a key)', () => hops('/v1/models', { token: key }), 200);
    await record('`GET /v1/models`', () => hops('/v1/models', { token: key }), 200);
    await record(
      "`GET /v1/models` (the key's tokens leased in this isolate)",
      () => leased(() => hops('/v1/models', { token: key })),
      200,
    );
    await record('`GET /v1/usage`', () => hops('/v1/usage', { token: key }), 200);
    const created = await record(
      '`POST /v1/jobs`',
      () => hops('/v1/jobs', { method: 'POST', token: key, body: job() }),
      202,
    );
    const { id } = JSON.parse(created.body) as { id: string };
    await waitForJobState(id, key);
    await record('`GET /v1/jobs/:id`', () => hops(`/v1/jobs/${id}`, { token: key }), 200);
    await record('`GET /v1/jobs`', () => hops('/v1/jobs?limit=5', { token: key }), 200);
    // After the list, which asks each of the tenant's jobs for its state: this one would be a second.
    await record(
      "`POST /v1/jobs` (the key's tokens leased in this isolate)",
      () => leased(() => hops('/v1/jobs', { method: 'POST', token: key, body: job() })),
      202,
    );
    await record(
      '`POST /v1/jobs` with `Idempotency-Key`',
      () =>
        hops('/v1/jobs', {
          method: 'POST',
          token: key,
          body: job(),
          headers: { 'idempotency-key': crypto.randomUUID() },
        }),
      202,
    );
    await record(
      '`POST /v1/jobs` with `Prefer: wait`',
      () => hops('/v1/jobs', { method: 'POST', token: key, body: job(), headers: { prefer: 'wait=30' } }),
      200,
    );
    await record(
      '`POST /v1/images/generations` (OpenAI)',
      () =>
        hops('/v1/images/generations', {
          method: 'POST',
          token: key,
          body: JSON.stringify({ prompt: 'a red circle', size: '64x64', steps: 4 }),
        }),
      200,
    );
    await record('`GET /v1/jobs/:id/events` (an ended job)', () => hops(`/v1/jobs/${id}/events`, { token: key }), 200);

    // The worker's event callback: a late `started` for an ended job is taken and changes nothing.
    const path = jobEventsPath(id);
    const text = JSON.stringify({ jobId: id, tenantId, status: 'started' });
    const signed = await signRequest({
      secret: await callbackToken(env.WORKER_SECRET, id),
      method: 'POST',
      path,
      body: text,
      timestamp: Math.floor(Date.now() / 1000),
    });
    await record(
      '`POST /internal/jobs/:id/events` (from a worker)',
      () => hops(path, { method: 'POST', body: text, headers: signed }),
      204,
    );

    const published = publishedTable();
    expect(Object.fromEntries(measured)).toEqual(Object.fromEntries(published));
  });
});
