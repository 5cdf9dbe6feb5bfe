/**
 * The floor of `npm run load`: a bare Hono Worker that answers `GET /v1/models` with the JSON the router answers
 * (`MODELS_JSON`, read from the router at start), and nothing else: no auth, no logs. With a bearer token, it first
 * makes one call to a Durable Object named by the token (`RequestCounter`, an in-memory count): what one object round
 * trip per request costs in this runtime, the least any per-key rate limit held in an object costs.
 */
import { DurableObject } from 'cloudflare:workers';
import { Hono } from 'hono';

/** Counts a token's requests in memory; no storage. */
export class RequestCounter extends DurableObject {
  private count = 0;

  take(): number {
    return ++this.count;
  }
}

type Bindings = { MODELS_JSON: string; REQUEST_COUNTER: DurableObjectNamespace<RequestCounter> };

const app = new Hono<{ Bindings: Bindings }>();
let models: unknown;

app.get('/v1/models', async (c) => {
  const token = c.req.header('authorization');
  if (token) await c.env.REQUEST_COUNTER.get(c.env.REQUEST_COUNTER.idFromName(token)).take();
  models ??= JSON.parse(c.env.MODELS_JSON);
  return c.json(models);
});

export default app;
