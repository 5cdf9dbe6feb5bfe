/**
 * The local stack's router child: the real functions/router Worker in workerd, through wrangler's `unstable_startWorker`
 * (what `wrangler dev` runs), after bundling the playground's assets. The stack passes the bindings as JSON in `STIPPLE_ROUTER_BINDINGS`, the listening port in
 * `ROUTER_PORT` and the Durable Objects' folder in `ROUTER_PERSIST_DIR`; SIGTERM or SIGINT stop workerd and exit.
 */
import { resolve } from 'node:path';
import { unstable_startWorker } from 'wrangler';
import { buildPlayground } from '../../../../functions/router/build-playground.ts';

const CONFIG = resolve(import.meta.dirname, '../../../../functions/router/wrangler.jsonc');

// The playground's script and stylesheet are static assets bundled from its TypeScript: built afresh on every start.
await buildPlayground();
const bindings = JSON.parse(process.env.STIPPLE_ROUTER_BINDINGS ?? '{}') as Record<string, string>;
const router = await unstable_startWorker({
  config: CONFIG,
  bindings: Object.fromEntries(
    Object.entries(bindings).map(([name, value]) => [name, { type: 'plain_text' as const, value }]),
  ),
  dev: {
    server: { hostname: '127.0.0.1', port: Number(process.env.ROUTER_PORT) },
    inspector: false,
    logLevel: 'info',
    persist: process.env.ROUTER_PERSIST_DIR ?? false,
    watch: false,
  },
});
await router.ready;

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await router.dispose();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
