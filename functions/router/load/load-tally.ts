/**
 * The counting of `npm run load`, kept pure so a test can check it against made-up runs: a run's throughput, latency
 * percentiles and answers by status, and the credit audit (no overdraft, every 402 honest).
 */
import { percentile } from '../bench/percentile.ts';
import type { Run, Sample } from './closed-loop.ts';

export interface RunSummary {
  requests: number;
  /** Answers per second over the run's wall time. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers by HTTP status (0: no answer at all). */
  byStatus: Record<number, number>;
  /** 5xx answers, and requests that got no answer. */
  serverErrors: number;
  rateLimited: number;
}

export function summarize(run: Run): RunSummary {
  const byStatus: Record<number, number> = {};
  for (const { status } of run.samples) byStatus[status] = (byStatus[status] ?? 0) + 1;
  const ms = run.samples.map((sample) => sample.ms);
  return {
    requests: run.samples.length,
    perSecond: run.samples.length / (run.wallMs / 1000),
    p50Ms: percentile(ms, 50),
    p99Ms: percentile(ms, 99),
    byStatus,
    serverErrors: run.samples.filter(({ status }) => status >= 500 || status === 0).length,
    rateLimited: byStatus[429] ?? 0,
  };
}

/** A tenant's credits once all its jobs ended, as `GET /v1/usage` reports them, and what the load did with it. */
export interface TenantLedger {
  tenantId: string;
  granted: number;
  spent: number;
  reserved: number;
  remaining: number;
  /** Jobs the load created for the tenant (2xx answers to `POST /v1/jobs`). */
  created: number;
  /** The prices of those jobs together, as their 2xx answers said. */
  charged: number;
  /** Its requests refused `402`. */
  refusals: Sample[];
}

export interface CreditAudit {
  /** Tenants charged more than they were granted (or left below zero). Goal: 0. */
  overdrafts: number;
  /** Every discrepancy, in words: overdrafts, charges that do not match the jobs, dishonest 402s. */
  problems: string[];
}

/** "this job costs N credits and M remain": the figures of an `insufficient_credits` refusal. */
const INSUFFICIENT = /costs (\d+) credits and (-?\d+) remain/;

/**
 * Checks each tenant's books once its jobs ended: charged no more than granted, the balance the grant less the
 * charges, the charges exactly its jobs' price, nothing still held, and each 402 an honest `insufficient_credits`
 * (the remaining balance it names below the job's price, and no 402 while the final balance could still pay a job).
 */
export function auditCredits(ledgers: TenantLedger[]): CreditAudit {
  const problems: string[] = [];
  let overdrafts = 0;
  for (const ledger of ledgers) {
    const { tenantId, granted, spent, reserved, remaining, created, charged } = ledger;
    if (spent + reserved > granted || remaining < 0) {
      overdrafts++;
      problems.push(`${tenantId}: overdraft, granted ${granted}, spent ${spent}, held ${reserved}, left ${remaining}`);
    }
    if (spent + reserved + remaining !== granted) {
      problems.push(`${tenantId}: spent ${spent} + held ${reserved} + left ${remaining} ≠ granted ${granted}`);
    }
    if (reserved !== 0) problems.push(`${tenantId}: ${reserved} credits still held after every job ended`);
    if (spent !== charged)
      problems.push(`${tenantId}: charged ${spent} for ${created} jobs priced ${charged} together`);
    for (const refusal of ledger.refusals) {
      const figures = INSUFFICIENT.exec(refusal.message ?? '');
      if (refusal.code !== 'insufficient_credits' || !figures || Number(figures[2]) >= Number(figures[1])) {
        problems.push(`${tenantId}: a dishonest 402: ${refusal.code} "${refusal.message}"`);
      } else if (remaining >= Number(figures[1])) {
        problems.push(`${tenantId}: a job of ${figures[1]} credits refused 402, yet ${remaining} were left at the end`);
      }
    }
  }
  return { overdrafts, problems };
}
