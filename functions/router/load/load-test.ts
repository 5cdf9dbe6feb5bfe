/**
 * `npm run load`: the router alone under load, on the local stack (s3rver and the router in workerd) with a stand-in
 * for the gpu-worker that answers at once in the worker's protocol (instant-worker.ts), loopback only. Prints, with
 * the goals beside the figures (nothing is asserted):
 * 1. `--jobs` job creations (`POST /v1/jobs`, default model and size, no wait) over `--tenants` tenants, each its own
 *    key (unthrottled) and credits, from `--concurrency` clients: throughput, p50/p99, answers, 5xx, overdrafts;
 * 2. `--hot-jobs` creations by one tenant from `--concurrency` clients, granted `--hot-shortfall` jobs' credits fewer
 *    than they need: the same figures, and the audit (0 overdrafts, every 402 an honest `insufficient_credits`);
 * 3. against the floor: a bare Hono Worker's `GET /v1/models` beside the router's authenticated one,
 *    `--floor-requests` at `--floor-concurrency`, `--floor-rounds` interleaved rounds (floor-scenario.ts);
 * 4. one object's throughput: `--object-calls` calls to one `TenantAccount` and one `RateLimiter` from
 *    `--object-concurrency` callers inside workerd (object-throughput.ts);
 * 5. Durable Object invocations per class for scenarios 1 and 2, counted on a second stack whose router runs a
 *    streaming tail Worker (durable-object-call-log.ts): `--counted-jobs` and `--counted-hot-jobs` creations. The
 *    tail costs the router CPU, so 1–3 are measured on a stack without it.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { measureFloor } from './floor-scenario.ts';
import { createJobs, createTenants, type JobCreationResult } from './job-creation-scenarios.ts';
import { reportFloor, reportJobCreations, reportObjectCalls, reportObjectThroughput } from './load-report.ts';
import { type LoadStack, startLoadStack } from './load-stack.ts';
import { measureObjectThroughput } from './object-throughput.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2000' },
    tenants: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '100' },
    'hot-jobs': { type: 'string', default: '1000' },
    'hot-shortfall': { type: 'string', default: '100' },
    'floor-requests': { type: 'string', default: '1000' },
    'floor-concurrency': { type: 'string', default: '50' },
    'floor-rounds': { type: 'string', default: '2' },
    'object-calls': { type: 'string', default: '2000' },
    'object-concurrency': { type: 'string', default: '10' },
    'counted-jobs': { type: 'string', default: '500' },
    'counted-hot-jobs': { type: 'string', default: '250' },
  },
});
const option = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} ${values[name]} is not a whole number ≥ 1`);
  return value;
};
const [tenantCount, concurrency] = [option('tenants'), option('concurrency')];
const shortfall = Number(values['hot-shortfall']);

interface JobScenarios {
  price: number;
  spread: JobCreationResult;
  hot: JobCreationResult;
}

/** Scenarios 1 and 2 on `stack`, after a warm-up that also prices a job; `prefix` keeps passes' tenants apart. */
async function jobScenarios(stack: LoadStack, prefix: string, jobs: number, hotJobs: number): Promise<JobScenarios> {
  // The warm-up: the bundle's first isolates, connections, the stand-in's store.
  const [warm] = await createTenants(stack.admin, `${prefix}-warm-up`, 1, 100);
  const warmUp = await createJobs(stack, [warm], 20, 10);
  const price = warmUp.run.samples.find((sample) => sample.credits !== undefined)?.credits;
  if (price === undefined) throw new Error(`the warm-up created no job: ${JSON.stringify(warmUp.run.samples[0])}`);
  const tenants = await createTenants(stack.admin, prefix, tenantCount, Math.ceil(jobs / tenantCount) * price);
  const spread = await createJobs(stack, tenants, jobs, concurrency);
  const [hotTenant] = await createTenants(stack.admin, `${prefix}-hot`, 1, Math.max(0, hotJobs - shortfall) * price);
  const hot = await createJobs(stack, [hotTenant], hotJobs, concurrency);
  return { price, spread, hot };
}

/** Runs `body` on a fresh load stack, printing the stack's last lines if it fails. */
async function withStack<T>(countDurableObjectCalls: boolean, body: (stack: LoadStack) => Promise<T>): Promise<T> {
  const stack = await startLoadStack(countDurableObjectCalls);
  try {
    return await body(stack);
  } catch (error) {
    console.error(`the stack's last lines:\n${stack.lastLines().join('\n')}`);
    throw error;
  } finally {
    await stack.stop();
  }
}

const started = performance.now();
const machine = () =>
  `${availableParallelism()} CPUs, load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`;
console.log(`machine: ${machine()}`);
const [jobs, hotJobs] = [option('jobs'), option('hot-jobs')];
const measured = await withStack(false, async (stack) => {
  const scenarios = await jobScenarios(stack, 'load', jobs, hotJobs);
  const credit = `${scenarios.price} credit${scenarios.price === 1 ? '' : 's'} a job`;
  reportJobCreations(
    `1. ${jobs} job creations over ${tenantCount} tenants, ${concurrency} concurrent (${credit})`,
    scenarios.spread,
  );
  reportJobCreations(
    `2. one hot tenant: ${hotJobs} job creations, ${concurrency} concurrent, credits for ${hotJobs - shortfall}`,
    scenarios.hot,
  );
  const [floorRequests, floorConcurrency] = [option('floor-requests'), option('floor-concurrency')];
  reportFloor(
    await measureFloor(stack, floorRequests, floorConcurrency, option('floor-rounds')),
    floorRequests,
    floorConcurrency,
  );
  return scenarios;
});
reportObjectThroughput(await measureObjectThroughput(option('object-calls'), option('object-concurrency')));

/** Jobs created a second over the scenario's requests. */
const jobsPerSecond = ({ run, created }: JobCreationResult) => created / (run.wallMs / 1000);
console.log(
  '5. Durable Object invocations by class, counted on a second stack (a streaming tail Worker in its workerd)',
);
await withStack(true, async (stack) => {
  const counted = await jobScenarios(stack, 'counted', option('counted-jobs'), option('counted-hot-jobs'));
  reportObjectCalls(
    `   scenario 1 (${tenantCount} tenants)`,
    counted.spread,
    { TenantAccount: tenantCount, RateLimiter: tenantCount },
    jobsPerSecond(measured.spread),
  );
  reportObjectCalls(
    '   scenario 2 (one tenant)',
    counted.hot,
    { TenantAccount: 1, RateLimiter: 1 },
    jobsPerSecond(measured.hot),
  );
});
console.log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s; machine now: ${machine()}`);
