/**
 * `npm run bench:router`: what the router costs over the worker alone, on the local stack (`startLocalStack`: s3rver,
 * the gpu-worker on the CPU with tiny-shapes, the router in workerd) in a temporary state folder on a free port. The
 * same jobs (64×64, 4 steps, n 1, fixed seeds) go through the router (`POST /v1/jobs`, `Prefer: wait=30`) and straight
 * to the worker (a signed `POST /invocations`), interleaved so that drift touches both. Prints, after a warm-up:
 * 1. latency p50/p95 on each path and the router's added latency (router − worker, per percentile), with the median
 *    of where a routed job's time went by the router's own timestamps;
 * 2. throughput at 1, 4 and 8 closed-loop clients on each path and the router/worker ratio, beside the floor: the same
 *    worker requests forwarded by a bare Worker in the same workerd (bare-forwarder.ts), what the runtime alone costs;
 * 3. relay delay: a worker progress event's `reported_at` to the client's receipt of it on the job's SSE stream.
 * 1 and 2 run twice: with every part on every CPU (`shared`: the router's CPU is taken from the worker), then `split`,
 * the worker alone on one CPU and the rest on the others (cpu-layout.ts), as a deployment keeps the edge off the GPU host.
 * The goals are printed beside the figures as information; nothing is asserted.
 * Options: --jobs N (latency samples per path, default 32), --level-jobs N (jobs per throughput level and path,
 * default 48), --relay-jobs N (default 5), --relay-steps N (default 30).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack } from '../../../packages/cli/src/local-stack/local-stack.ts';
import { loadOrCreateState } from '../../../packages/cli/src/local-stack/local-stack-state.ts';
import { freePort } from '../../../packages/cli/src/local-stack/loopback-port.ts';
import { startBareForwarder } from './bare-forwarder.ts';
import { cpuSplitter } from './cpu-layout.ts';
import { createJobSenders, IMAGE, type JobSenders, type RouterTimeline } from './job-senders.ts';
import { percentile } from './percentile.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '32' },
    'level-jobs': { type: 'string', default: '48' },
    'relay-jobs': { type: 'string', default: '5' },
    'relay-steps': { type: 'string', default: '30' },
  },
});
const CLIENTS = [1, 4, 8];
/** How many lines of the stack's log to show when it fails. */
const LOG_TAIL_LINES = 40;

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Pairs of the same job on both paths, the order alternating so neither path always runs second. */
async function latencies(senders: JobSenders, pairs: number) {
  const router: number[] = [];
  const worker: number[] = [];
  const timelines: RouterTimeline[] = [];
  for (let seed = 1; seed <= pairs; seed++) {
    const viaRouter = async () => {
      const { ms, timeline } = await senders.viaRouter(seed);
      router.push(ms);
      timelines.push(timeline);
    };
    const viaWorker = async () => worker.push(await senders.viaWorker(seed));
    for (const send of seed % 2 ? [viaRouter, viaWorker] : [viaWorker, viaRouter]) await send();
  }
  return { router, worker, timelines };
}

/** Closed-loop clients: each sends its next job when the last one is answered; jobs per second over the level. */
async function throughput(send: (seed: number) => Promise<unknown>, clients: number, jobs: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < jobs) await send(1000 + next++);
    }),
  );
  return jobs / ((performance.now() - start) / 1000);
}

async function reportLatency(senders: JobSenders, pairs: number): Promise<void> {
  const { router, worker, timelines } = await latencies(senders, pairs);
  const row = (label: string, p50: number, p95: number) =>
    `   ${label.padEnd(38)}${ms(p50).padStart(10)} ${ms(p95).padStart(10)}`;
  console.log(`1. latency, ${pairs} jobs per path, interleaved      p50        p95`);
  console.log(row('router (POST /v1/jobs, wait)', percentile(router, 50), percentile(router, 95)));
  console.log(row('worker (POST /invocations)', percentile(worker, 50), percentile(worker, 95)));
  const added = (p: number) => percentile(router, p) - percentile(worker, p);
  console.log(`${row('router − worker', added(50), added(95))}   (goal p50 ≤ 10 ms)`);
  const phases = [
    ['request sent to job created', (t: RouterTimeline) => t.createdAt - t.sentAt],
    ['created to started (a GPU said so)', (t: RouterTimeline) => t.startedAt - t.createdAt],
    ['started to completed', (t: RouterTimeline) => t.completedAt - t.startedAt],
    ['completed to answer read', (t: RouterTimeline) => t.answeredAt - t.completedAt],
  ] as const;
  console.log("   a routed job's time by the router's timestamps (medians, ms resolution):");
  for (const [label, pick] of phases) {
    console.log(`     ${label.padEnd(36)}${ms(percentile(timelines.map(pick), 50)).padStart(10)}`);
  }
}

async function reportThroughput(senders: JobSenders, floor: JobSenders, jobs: number): Promise<void> {
  console.log(
    `2. throughput, ${jobs} jobs per level and path  jobs/s: router  worker  bare hop   router/worker  bare hop/worker`,
  );
  for (const [level, clients] of CLIENTS.entries()) {
    const paths = { router: senders.viaRouter, worker: senders.viaWorker, floor: floor.viaWorker };
    const rate = { router: 0, worker: 0, floor: 0 };
    // Alternating the order from level to level, as the latency pairs do, so drift touches every path.
    const order = ['router', 'worker', 'floor'] as const;
    for (const path of level % 2 ? [...order].reverse() : order)
      rate[path] = await throughput(paths[path], clients, jobs);
    const goal = clients === 8 ? '   (goal ≥ 0.95 at 8 clients)' : '';
    const label = `${clients} client${clients === 1 ? '' : 's'}`;
    const cells = [rate.router, rate.worker, rate.floor].map((value) => value.toFixed(2).padStart(8)).join('');
    const ratios = `${(rate.router / rate.worker).toFixed(3).padStart(15)}${(rate.floor / rate.worker).toFixed(3).padStart(17)}`;
    console.log(`   ${label.padEnd(38)}${cells}${ratios}${goal}`);
  }
}

async function reportRelay(senders: JobSenders, jobs: number, steps: number): Promise<void> {
  const delays: number[] = [];
  for (let seed = 1; seed <= jobs; seed++) delays.push(...(await senders.relayDelays(seed, steps)));
  console.log(`3. relay, worker progress event to the client's SSE event (${jobs} jobs of ${steps} steps)`);
  if (delays.length === 0) {
    console.log('   no progress event was reported after its stream opened');
    return;
  }
  const [p50, p95] = [ms(percentile(delays, 50)), ms(percentile(delays, 95))];
  console.log(`   ${delays.length} events: p50 ${p50}, p95 ${p95}   (goal p50 ≤ 20 ms)`);
}

async function bench(senders: JobSenders, floor: JobSenders, split: (() => string) | string): Promise<void> {
  // Warm-up: first-run allocations, graph caches, the router's Durable Objects and connections.
  for (let seed = 0; seed < 3; seed++) {
    await Promise.all([senders.viaRouter(seed), senders.viaWorker(seed), floor.viaWorker(seed)]);
  }
  const [load] = loadavg();
  console.log(`machine: ${availableParallelism()} CPUs; load ${load.toFixed(2)}`);
  console.log(`image: tiny-shapes ${IMAGE.width}x${IMAGE.height}, ${IMAGE.steps} steps, n ${IMAGE.n}`);
  console.log('\nlayout shared: client, s3rver, router and worker on every CPU (the router takes CPU from the worker)');
  await reportLatency(senders, Number(values.jobs));
  await reportThroughput(senders, floor, Number(values['level-jobs']));
  await reportRelay(senders, Number(values['relay-jobs']), Number(values['relay-steps']));
  if (typeof split === 'string') {
    console.log(`\nlayout split: skipped, ${split}`);
    return;
  }
  // Deployed, the router runs at Cloudflare's edge, never on the GPU host: the same figures with the two apart.
  console.log(`\nlayout split: ${split()}`);
  await reportLatency(senders, Number(values.jobs));
  await reportThroughput(senders, floor, Number(values['level-jobs']));
}

const stateDir = await mkdtemp(join(tmpdir(), 'stipple-router-bench-'));
const log: string[] = [];
try {
  const stack = await startLocalStack({ port: await freePort(), stateDir, log: (line) => log.push(line) });
  try {
    const worker = stack.children.find((child) => child.name === 'worker')!;
    const router = stack.children.find((child) => child.name === 'router')!;
    const { workerSecret } = loadOrCreateState(stateDir);
    // Started by this process, the bare hop's workerd goes with the client and the router in the split layout.
    const forwarder = await startBareForwarder(worker.url);
    try {
      const split = cpuSplitter(worker.pid, [process.pid, router.pid]);
      const floor = createJobSenders(stack.url, stack.devKey.key, forwarder.url, workerSecret, 'floor');
      await bench(createJobSenders(stack.url, stack.devKey.key, worker.url, workerSecret), floor, split);
    } finally {
      await forwarder.stop();
    }
  } finally {
    await stack.stop();
  }
} catch (error) {
  console.error(`the stack's last lines:\n${log.slice(-LOG_TAIL_LINES).join('\n')}`);
  throw error;
} finally {
  await rm(stateDir, { recursive: true, force: true });
}
