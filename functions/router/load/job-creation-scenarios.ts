/**
 * Scenarios 1 and 2 of `npm run load`: job creations (`POST /v1/jobs`, the default model's default size, no wait)
 * spread over many tenants, and piled on one hot tenant granted fewer credits than its jobs need. Each waits for every
 * job to end (the router's `job_ended` lines), then audits each tenant's credits (load-tally.ts).
 */
import type { AdminTarget } from '../../../packages/cli/src/admin-client.ts';
import type { InstantWorker } from '../../../packages/test-support/src/instant-worker.ts';
import { closedLoop, isCreated, type Run, send } from './closed-loop.ts';
import { auditCredits, type CreditAudit } from './load-tally.ts';
import { createLoadTenant, type LoadTenant, readCredits } from './load-tenants.ts';
import type { StackLogCounter } from './stack-log-counter.ts';

/** A key limit no load here reaches: requests per minute. */
export const UNTHROTTLED_REQUESTS_PER_MINUTE = 1_000_000;
/** How long the jobs may take to end once all are created, ms. */
const DRAIN_LIMIT_MS = 120_000;

/** The local stack with the stand-in worker, as the scenarios use it. */
export interface LoadTarget {
  url: string;
  admin: AdminTarget;
  worker: InstantWorker;
  stackLog: StackLogCounter;
}

export interface JobCreationResult {
  run: Run;
  /** Jobs created: 2xx answers. */
  created: number;
  audit: CreditAudit;
  /** Durable Object calls by class from the first request until every job ended, and that span, seconds. */
  objectCalls: Map<string, number>;
  objectSeconds: number;
  /** The stand-in's counts over the scenario: callback deliveries that failed (and were retried), jobs given up. */
  callbackFailures: number;
  gaveUp: number;
}

/** Resolves once the router has ended `count` more jobs than `before` (its `job_ended` lines). */
async function jobsEnded(log: StackLogCounter, before: number, count: number): Promise<void> {
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  while (log.jobsEnded - before < count) {
    if (Date.now() > deadline) {
      throw new Error(`${count - (log.jobsEnded - before)} of ${count} jobs still running after ${DRAIN_LIMIT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function createJob(url: string, tenant: LoadTenant, index: number) {
  return send(`${url}/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: `load test ${index}` }),
  });
}

/** `jobs` creations, request `i` by tenant `i mod tenants.length`, from `concurrency` clients; then the books. */
export async function createJobs(
  target: LoadTarget,
  tenants: LoadTenant[],
  jobs: number,
  concurrency: number,
): Promise<JobCreationResult> {
  const before = target.stackLog.snapshot();
  const endedBefore = target.stackLog.jobsEnded;
  const { callbackFailures, gaveUp } = { ...target.worker.counts };
  const start = performance.now();
  const run = await closedLoop(jobs, concurrency, (index) =>
    createJob(target.url, tenants[index % tenants.length], index),
  );
  const created = run.samples.filter(isCreated).length;
  await jobsEnded(target.stackLog, endedBefore, created);
  await target.stackLog.settled();
  const objectSeconds = (performance.now() - start) / 1000;
  const objectCalls = target.stackLog.since(before);
  const ledgers = await Promise.all(
    tenants.map(async (tenant, place) => {
      const mine = run.samples.filter((_, index) => index % tenants.length === place);
      return tenantLedger(target.url, tenant, mine);
    }),
  );
  return {
    run,
    created,
    audit: auditCredits(ledgers),
    objectCalls,
    objectSeconds,
    callbackFailures: target.worker.counts.callbackFailures - callbackFailures,
    gaveUp: target.worker.counts.gaveUp - gaveUp,
  };
}

/** A tenant's books: its credits as it reads them, beside what its answers said. */
async function tenantLedger(url: string, tenant: LoadTenant, samples: Run['samples']) {
  const created = samples.filter(isCreated);
  const credits = await readCredits(url, tenant.key);
  return {
    tenantId: tenant.tenantId,
    granted: tenant.granted,
    ...credits,
    created: created.length,
    charged: created.reduce((sum, sample) => sum + (sample.credits ?? 0), 0),
    refusals: samples.filter((sample) => sample.status === 402),
  };
}

/** `count` tenants named `${prefix}-${i}`, each granted `credits` and unthrottled. */
export function createTenants(admin: AdminTarget, prefix: string, count: number, credits: number) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      createLoadTenant(admin, `${prefix}-${i}`, credits, UNTHROTTLED_REQUESTS_PER_MINUTE),
    ),
  );
}
