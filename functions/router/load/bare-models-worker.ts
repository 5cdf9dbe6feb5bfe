/**
 * The floor of `npm run load`: a bare Hono Worker that answers `GET /v1/models` with the JSON the router answers
 * (`MODELS_JSON`, read from the router at start), and nothing else: no auth, no Durable Object, no logs.
 */
import { Hono } from 'hono';

const app = new Hono<{ Bindings: { MODELS_JSON: string } }>();
let models: unknown;

app.get('/v1/models', (c) => {
  models ??= JSON.parse(c.env.MODELS_JSON);
  return c.json(models);
});

export default app;
