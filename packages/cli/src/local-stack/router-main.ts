/**
 * The local stack's router child: the real functions/router Worker in workerd (router-in-workerd.ts). The stack passes
 * the bindings as JSON in `STIPPLE_ROUTER_BINDINGS`, the listening port in `ROUTER_PORT` and the Durable Objects'
 * folder in `ROUTER_PERSIST_DIR`, and `ROUTER_COUNT_DURABLE_OBJECT_CALLS=1` for a bench that counts the router's Durable
 * Object calls (durable-object-call-log.ts); SIGTERM or SIGINT stop workerd and exit.
 */
import { startRouterInWorkerd } from './router-in-workerd.ts';

const router = await startRouterInWorkerd({
  port: Number(process.env.ROUTER_PORT),
  persistDir: process.env.ROUTER_PERSIST_DIR,
  bindings: JSON.parse(process.env.STIPPLE_ROUTER_BINDINGS ?? '{}') as Record<string, string>,
  countDurableObjectCalls: process.env.ROUTER_COUNT_DURABLE_OBJECT_CALLS === '1',
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await router.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
