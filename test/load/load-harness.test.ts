import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../functions/router/load/closed-loop.ts';
import { createJobs, createTenants } from '../../functions/router/load/job-creation-scenarios.ts';
import { type LoadStack, startLoadStack } from '../../functions/router/load/load-stack.ts';
import { auditCredits, summarize, type TenantLedger } from '../../functions/router/load/load-tally.ts';

const refusal = (message: string, code = 'insufficient_credits'): Sample => ({ status: 402, code, message, ms: 1 });
const honest = (cost: number, remain: number) =>
  refusal(`this job costs ${cost} credits and ${remain} remain; add credits or ask for fewer, smaller images`);
const books = (ledger: Partial<TenantLedger>): TenantLedger => ({
  tenantId: 't',
  granted: 10,
  spent: 10,
  reserved: 0,
  remaining: 0,
  created: 10,
  charged: 10,
  refusals: [],
  ...ledger,
});

describe('the load tally', () => {
  it('finds nothing wrong with books that balance, refusals included', () => {
    expect(auditCredits([books({ refusals: [honest(1, 0), honest(2, 1)] })])).toEqual({ overdrafts: 0, problems: [] });
  });

  it('flags an overdraft: charged more than granted, or a balance below zero', () => {
    const audit = auditCredits([
      books({ spent: 11, created: 11, charged: 11, remaining: -1 }),
      books({ tenantId: 'u', spent: 9, reserved: 2, remaining: -1, created: 9, charged: 9 }),
      books({ tenantId: 'fine' }),
    ]);
    expect(audit.overdrafts).toBe(2);
    expect(audit.problems).toContain('t: overdraft, granted 10, spent 11, held 0, left -1');
  });

  it('flags charges that are not the jobs created, credits still held, and a 402 that was not honest', () => {
    const { overdrafts, problems } = auditCredits([
      books({ spent: 9, remaining: 1, charged: 10 }),
      books({ tenantId: 'held', spent: 8, reserved: 2, charged: 8 }),
      books({ tenantId: 'lied', refusals: [honest(1, 3), refusal('rate limited', 'rate_limit_exceeded')] }),
      books({ tenantId: 'early', spent: 8, remaining: 2, created: 8, charged: 8, refusals: [honest(1, 0)] }),
    ]);
    expect(overdrafts).toBe(0);
    expect(problems).toEqual([
      't: charged 9 for 10 jobs priced 10 together',
      'held: 2 credits still held after every job ended',
      'lied: a dishonest 402: insufficient_credits "this job costs 1 credits and 3 remain; add credits or ask for fewer, smaller images"',
      'lied: a dishonest 402: rate_limit_exceeded "rate limited"',
      'early: a job of 1 credits refused 402, yet 2 were left at the end',
    ]);
  });

  it('counts answers by status, a request with no answer among the server errors', () => {
    const samples = [200, 202, 202, 402, 429, 500, 503, 0].map((status, ms) => ({ status, ms }));
    const summary = summarize({ samples, wallMs: 2000 });
    expect(summary).toMatchObject({ requests: 8, perSecond: 4, serverErrors: 3, rateLimited: 1, p50Ms: 4, p99Ms: 7 });
    expect(summary.byStatus).toEqual({ 0: 1, 200: 1, 202: 2, 402: 1, 429: 1, 500: 1, 503: 1 });
  });
});

describe('the load harness, end to end on the local stack with the stand-in worker', () => {
  let stack: LoadStack;
  beforeAll(async () => {
    stack = await startLoadStack(true);
  }, 120_000);
  afterAll(() => stack?.stop());

  it('creates every job it says it did, each ended and charged once, and counts the objects that served them', async () => {
    const tenants = await createTenants(stack.admin, 'spread', 4, 10);
    const result = await createJobs(stack, tenants, 40, 10);
    expect(result.run.samples).toHaveLength(40);
    expect(result.run.samples.every((sample) => sample.status === 202 && sample.jobId)).toBe(true);
    expect(result.created).toBe(40);
    expect(result.audit).toEqual({ overdrafts: 0, problems: [] });
    // Every job reserves and is charged in its tenant's account, and lives in its own JobRun.
    expect(result.objectCalls.get('TenantAccount')).toBeGreaterThanOrEqual(40);
    expect(result.objectCalls.get('JobRun')).toBeGreaterThanOrEqual(40);
    const job = await fetch(`${stack.url}/v1/jobs/${result.run.samples[0].jobId}`, {
      headers: { authorization: `Bearer ${tenants[0].key}` },
    });
    expect(((await job.json()) as { status: string }).status).toBe('succeeded');
  });

  it('refuses a hot tenant 402 exactly for the jobs its credits cannot pay, overdrawing nothing', async () => {
    const [hot] = await createTenants(stack.admin, 'hot', 1, 30);
    const result = await createJobs(stack, [hot], 40, 10);
    expect(result.created).toBe(30);
    expect(result.run.samples.filter((sample) => sample.status === 402)).toHaveLength(10);
    expect(result.audit).toEqual({ overdrafts: 0, problems: [] });
  });

  it('answers only requests signed with the worker secret, as the worker does', async () => {
    const unsigned = await fetch(`${stack.worker.url}/invocations`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(401);
    expect(stack.worker.counts.refused).toBe(1);
  });
});
