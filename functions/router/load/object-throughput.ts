/**
 * Scenario 4 of `npm run load`: how many calls one Durable Object serves a second, without the router's HTTP path in
 * front. A probe Worker in the same workerd as the router's objects (bound to the router's classes by `scriptName`,
 * in memory) calls one object in a closed loop from `concurrency` callers and answers how long `calls` took: one
 * `TenantAccount` reading (`usage()`) and writing (`grant(1)`, a SQLite write, as a reservation is), one `RateLimiter`
 * leasing one token a call (`lease(1)`, counted in memory and written behind, at most once a second).
 */
import type { WorkerOptions } from 'miniflare';
import { bundleRouter } from '../../../packages/cli/src/local-stack/router-in-workerd.ts';
import { routerLikeServer } from './workerd-script.ts';

const ROUTER_NAME = 'stipple-router';

/** The calls the probe can loop on, by name. */
export const OBJECT_CALLS = {
  'TenantAccount.usage()': 'env.TENANT_ACCOUNTS.get(env.TENANT_ACCOUNTS.idFromName(name)).usage()',
  'TenantAccount.grant(1)': 'env.TENANT_ACCOUNTS.get(env.TENANT_ACCOUNTS.idFromName(name)).grant(1)',
  // One token a call (as a quiet key's request asks), under a limit no loop reaches, so every lease is granted.
  'RateLimiter.lease(1)': 'env.RATE_LIMITERS.get(env.RATE_LIMITERS.idFromName(name)).lease(1, 0, 1000000000)',
} as const;
export type ObjectCall = keyof typeof OBJECT_CALLS;

const PROBE_SCRIPT = `const CALLS = {
${Object.entries(OBJECT_CALLS)
  .map(([label, call]) => `  ${JSON.stringify(label)}: (env, name) => ${call},`)
  .join('\n')}
};
export default {
  async fetch(request, env) {
    const query = new URL(request.url).searchParams;
    const call = CALLS[query.get('call')];
    const [calls, concurrency, name] = [Number(query.get('calls')), Number(query.get('concurrency')), query.get('object')];
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < calls) { next++; await call(env, name); }
    }));
    return Response.json({ calls });
  },
};`;

export interface ObjectThroughput {
  call: ObjectCall;
  calls: number;
  concurrency: number;
  perSecond: number;
}

/** Each call in `OBJECT_CALLS` on its own object: `calls` of them from `concurrency` callers, after a warm-up. */
export async function measureObjectThroughput(calls: number, concurrency: number): Promise<ObjectThroughput[]> {
  const bundle = await bundleRouter();
  try {
    const objects = { className: '', scriptName: ROUTER_NAME };
    const probe: WorkerOptions = {
      name: 'probe',
      modules: true,
      script: PROBE_SCRIPT,
      compatibilityDate: bundle.worker.compatibilityDate,
      durableObjects: {
        TENANT_ACCOUNTS: { ...objects, className: 'TenantAccount' },
        RATE_LIMITERS: { ...objects, className: 'RateLimiter' },
      },
    };
    const miniflare = await routerLikeServer([probe, { ...bundle.worker, name: ROUTER_NAME } as WorkerOptions]);
    try {
      const url = (await miniflare.ready).origin;
      const loop = async (call: ObjectCall, count: number, object: string) => {
        const query = new URLSearchParams({ call, calls: String(count), concurrency: String(concurrency), object });
        const start = performance.now();
        const response = await fetch(`${url}/?${query}`);
        if (!response.ok) throw new Error(`the probe answered ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
        return performance.now() - start;
      };
      const results: ObjectThroughput[] = [];
      for (const call of Object.keys(OBJECT_CALLS) as ObjectCall[]) {
        const object = `probe-${call.split('.')[0]}-${results.length}`;
        // The object's first call loads it (and creates its tables): not what a busy object costs.
        await loop(call, concurrency, object);
        const ms = await loop(call, calls, object);
        results.push({ call, calls, concurrency, perSecond: calls / (ms / 1000) });
      }
      return results;
    } finally {
      await miniflare.dispose();
    }
  } finally {
    await bundle.remove();
  }
}
