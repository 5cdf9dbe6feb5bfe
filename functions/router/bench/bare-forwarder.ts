/**
 * The floor of any router in workerd on this machine: a bare Worker, in the same workerd and Miniflare as the router,
 * that forwards each request unchanged to the gpu-worker (no auth, no Durable Object, no storage, no logs). What it
 * costs over the worker alone is what the edge's runtime costs here before a line of Stipple runs.
 */
import { Miniflare } from 'miniflare';
import { freePort } from '../../../packages/cli/src/local-stack/loopback-port.ts';

const FORWARD = `export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.TARGET + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body });
  },
};`;

export async function startBareForwarder(target: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const miniflare = new Miniflare({
    host: '127.0.0.1',
    port: await freePort(),
    modules: true,
    script: FORWARD,
    compatibilityDate: '2026-04-01',
    bindings: { TARGET: target },
  });
  const url = (await miniflare.ready).origin;
  return { url, stop: () => miniflare.dispose() };
}
