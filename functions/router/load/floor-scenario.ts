/**
 * Scenario 3 of `npm run load`, against the floor: a bare Hono Worker answering `GET /v1/models` with the router's
 * JSON (bare-models-worker.ts), in workerd through Miniflare exactly as the local stack serves the router, alone and
 * with one Durable Object call per request (what any per-key limit held in an object costs at least), beside the
 * router's authenticated `GET /v1/models`: with a key whose own limit no run reaches (200s), and with a key at the
 * deployment's default limit (600 a minute: 429s once its bucket is spent). Rounds interleave the three, so drift
 * touches all. Each run also reads what CPU it cost a request (process-cpu.ts): the server's processes (the bare
 * Worker's workerd; the router's workerd and the Node process that relays its log) and this one (the clients, and the
 * stack's store and stand-in, idle here, and log reader). Clients and servers share the machine's CPUs, so throughput
 * swings with the scheduling from run to run (±30 % on the 2-core dev machine); CPU per request much less.
 */
import { join } from 'node:path';
import { closedLoop, send } from './closed-loop.ts';
import { UNTHROTTLED_REQUESTS_PER_MINUTE } from './job-creation-scenarios.ts';
import type { LoadStack } from './load-stack.ts';
import { type RunSummary, summarize } from './load-tally.ts';
import { createLoadTenant } from './load-tenants.ts';
import { childProcesses, withCpuPerRequest } from './process-cpu.ts';
import { startWorkerScript } from './workerd-script.ts';

/** The router's `compatibility_date` (wrangler.jsonc), so the floor runs on the same runtime behaviour. */
const COMPATIBILITY_DATE = '2026-04-01';

export const FLOOR_PATHS = [
  'bare Hono worker',
  'bare worker + one object call',
  'router, unthrottled key',
  'router, default limit',
] as const;
export type FloorPath = (typeof FLOOR_PATHS)[number];

/** One path's run: its summary, and the CPU a request cost (µs) where it could be read (Linux): the path's server
 * processes, and this process (the clients). */
export type FloorRun = RunSummary & { cpu?: Record<'server' | 'client', number> };

/** One round: each path's run. */
export type FloorRound = Record<FloorPath, FloorRun>;

export async function measureFloor(
  target: LoadStack,
  requests: number,
  concurrency: number,
  rounds: number,
): Promise<FloorRound[]> {
  const [unthrottled, limited] = await Promise.all([
    createLoadTenant(target.admin, 'floor-unthrottled', 0, UNTHROTTLED_REQUESTS_PER_MINUTE),
    createLoadTenant(target.admin, 'floor-default-limit', 0, undefined),
  ]);
  const listing = await fetch(`${target.url}/v1/models`, { headers: { authorization: `Bearer ${unthrottled.key}` } });
  if (!listing.ok) throw new Error(`GET /v1/models answered ${listing.status}: ${await listing.text()}`);
  const workerdsBefore = childProcesses(process.pid, 'workerd');
  const bare = await startWorkerScript(
    join(import.meta.dirname, 'bare-models-worker.ts'),
    { MODELS_JSON: await listing.text() },
    COMPATIBILITY_DATE,
    { REQUEST_COUNTER: 'RequestCounter' },
  );
  try {
    const get = (url: string, key?: string) => () =>
      send(`${url}/v1/models`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    const paths: Record<FloorPath, () => ReturnType<typeof send>> = {
      'bare Hono worker': get(bare.url),
      'bare worker + one object call': get(bare.url, unthrottled.key),
      'router, unthrottled key': get(target.url, unthrottled.key),
      'router, default limit': get(target.url, limited.key),
    };
    const bareServer = childProcesses(process.pid, 'workerd').filter((pid) => !workerdsBefore.includes(pid));
    const routerServer = [target.routerPid, ...childProcesses(target.routerPid, 'workerd')];
    const processes = (path: FloorPath) => ({
      server: path.startsWith('router') ? routerServer : bareServer,
      client: [process.pid],
    });
    // Warm-up, a round's worth each: connections, isolates, the objects behind each key, and the JIT (with only
    // `concurrency` requests each, every path's first round ran 10–30 % below its second).
    for (const path of FLOOR_PATHS) await closedLoop(requests, concurrency, paths[path]);
    const results: FloorRound[] = [];
    for (let round = 0; round < rounds; round++) {
      const summaries = {} as FloorRound;
      for (const path of round % 2 ? [...FLOOR_PATHS].reverse() : FLOOR_PATHS) {
        const run = () => closedLoop(requests, concurrency, paths[path]);
        const { result, cpu } = await withCpuPerRequest(processes(path), requests, run);
        summaries[path] = { ...summarize(result), ...(cpu && { cpu }) };
      }
      results.push(summaries);
    }
    return results;
  } finally {
    await bare.stop();
  }
}
