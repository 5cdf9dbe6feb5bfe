import { jobSchema } from '@stipple/jobs';
import { FakeClock } from '@stipple/test-support/fake-clock';
import { ScriptedProvider, type Step } from '@stipple/test-support/scripted-provider';
import { describe, expect, it } from 'vitest';
import { PoolError } from '../errors/pool-error.ts';
import { ProviderError } from '../errors/provider-error.ts';
import type { PoolLogEntry } from './pool-log.ts';
import { ProviderPool, type ProviderPoolOptions } from './provider-pool.ts';

const job = (jobId = 'job-1', modelId = 'tiny-shapes') =>
  jobSchema.parse({
    jobId,
    tenantId: 'acme',
    modelId,
    parameters: { prompt: 'a cat' },
    output: { bucket: 'results', keyPrefix: 'pool' },
  });

const unreachable: Step = { fail: 'provider_unreachable', neverStarted: true };
const busy = (retryAfterMs: number): Step => ({ fail: 'provider_busy', neverStarted: true, retryAfterMs });

function setUp(scripts: Record<string, Step[]>, options: Partial<ProviderPoolOptions> = {}) {
  const clock = new FakeClock();
  const log: PoolLogEntry[] = [];
  const providers = Object.fromEntries(
    Object.entries(scripts).map(([id, script]) => [id, new ScriptedProvider(id, script, clock)]),
  );
  const pool = new ProviderPool({
    providers: Object.values(providers).map((provider, index) => ({
      provider,
      priority: index,
      models: ['tiny-shapes'],
    })),
    clock,
    random: () => 0.5,
    log: (entry) => log.push(entry),
    ...options,
  });
  const events = (event: string) => log.filter((entry) => entry.event === event);
  return { clock, log, providers, pool, events };
}

describe('ProviderPool', () => {
  it('sends a job to the most preferred provider serving its model, logging each decision with the job id', async () => {
    const { pool, providers, log, clock } = setUp({ first: [], second: [] });
    const submission = await clock.run(pool.submit(job()));
    expect(submission).toMatchObject({ state: 'queued', attempts: 1, handle: { providerId: 'first', jobId: 'job-1' } });
    expect(providers.second.calls).toEqual([]);
    expect(log.map((entry) => entry.event)).toEqual(['submitted']);
    expect(log[0]).toMatchObject({ state: 'queued', attempt: 1, ms: expect.any(Number) });
    expect(log.every((entry) => entry.jobId === 'job-1' && entry.providerId === 'first')).toBe(true);
  });

  it('names the served models when no provider serves the job’s model', async () => {
    const { pool, clock } = setUp({ first: [] });
    const error = await clock.run(pool.submit(job('job-1', 'sdxl'))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoolError);
    expect(error).toMatchObject({ code: 'no_provider', isRetryable: false });
    expect((error as Error).message).toBe('no provider serves model "sdxl"; the pool serves tiny-shapes');
  });

  it('fails over to the next provider when the first provably never started the job', async () => {
    const { pool, providers, events, clock } = setUp({ first: [unreachable], second: [] });
    const submission = await clock.run(pool.submit(job()));
    expect(submission).toMatchObject({ state: 'queued', attempts: 2, handle: { providerId: 'second' } });
    expect(providers.first.calls).toHaveLength(1);
    expect(events('failover')).toEqual([
      expect.objectContaining({ jobId: 'job-1', from: 'first', code: 'provider_unreachable' }),
    ]);
  });

  it('never resubmits a job that may have started: it reports the outcome unknown instead', async () => {
    const { pool, providers, events, clock } = setUp({
      first: [{ fail: 'provider_failed', neverStarted: false }],
      second: [],
    });
    const submission = await clock.run(pool.submit(job()));
    expect(submission).toMatchObject({
      state: 'unknown',
      attempts: 1,
      handle: { providerId: 'first', jobId: 'job-1' },
    });
    expect(submission.error).toBeInstanceOf(ProviderError);
    expect(providers.second.calls).toEqual([]);
    expect(events('outcome_unknown')).toEqual([expect.objectContaining({ jobId: 'job-1', providerId: 'first' })]);
  });

  it('ends an attempt at its time limit as a timeout that may have started, and does not fail over', async () => {
    const { pool, providers, clock } = setUp({ first: ['hang'], second: [] }, { attemptTimeoutMs: 2_000 });
    const started = clock.now();
    const submission = await clock.run(pool.submit(job()));
    expect(submission.state).toBe('unknown');
    expect(submission.error).toMatchObject({ code: 'provider_timeout', neverStarted: false });
    expect(clock.now() - started).toBe(2_000);
    expect(providers.second.calls).toEqual([]);
  });

  it('does not try another provider with a job every provider would refuse', async () => {
    const { pool, providers, clock } = setUp({ first: [{ fail: 'invalid_job', neverStarted: true }], second: [] });
    await expect(clock.run(pool.submit(job()))).rejects.toMatchObject({ code: 'invalid_job' });
    expect(providers.second.calls).toEqual([]);
  });

  it('backs off between rounds with capped exponential delays and full jitter', async () => {
    const { pool, providers, events, clock } = setUp(
      { only: [unreachable, unreachable, unreachable] },
      { retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300 } },
    );
    const submission = await clock.run(pool.submit(job()));
    expect(submission).toMatchObject({ state: 'queued', attempts: 4 });
    // random() = 0.5: half of min(300, 100 · 2^round) for rounds 0, 1, 2.
    expect(events('retry_scheduled').map((entry) => entry.delayMs)).toEqual([50, 100, 150]);
    const times = providers.only.calls.map((call) => call.at - providers.only.calls[0].at);
    expect(times).toEqual([0, 50, 150, 300]);
  });

  it('waits out a provider’s Retry-After rather than its shorter backoff', async () => {
    const { pool, providers, clock } = setUp(
      { only: [busy(2_000)] },
      { retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5_000 } },
    );
    await clock.run(pool.submit(job()));
    expect(providers.only.calls[1].at - providers.only.calls[0].at).toBe(2_000);
  });

  it('gives up with the wait when a Retry-After is longer than the pool waits', async () => {
    const { pool, providers, clock } = setUp(
      { only: [busy(60_000)] },
      { retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5_000 } },
    );
    const error = await clock.run(pool.submit(job())).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'providers_exhausted', isRetryable: true, retryAfterMs: 60_000 });
    expect(providers.only.calls).toHaveLength(1);
  });

  it('opens a provider’s breaker after consecutive failures, tries it again after the cool-down, and closes it on success', async () => {
    const { pool, providers, events, clock } = setUp(
      { flaky: [unreachable, unreachable, unreachable], steady: [] },
      { breaker: { failureThreshold: 2, cooldownMs: 10_000 } },
    );
    await clock.run(pool.submit(job('job-1')));
    expect(pool.breakerStates()).toEqual({ flaky: 'closed', steady: 'closed' });
    await clock.run(pool.submit(job('job-2')));
    expect(pool.breakerStates()).toEqual({ flaky: 'open', steady: 'closed' });
    await clock.run(pool.submit(job('job-3')));
    expect(providers.flaky.calls.map((call) => call.jobId)).toEqual(['job-1', 'job-2']);
    expect(events('provider_skipped')).toContainEqual(
      expect.objectContaining({ jobId: 'job-3', providerId: 'flaky', reason: 'breaker_open' }),
    );

    clock.advance(10_000);
    expect(pool.breakerStates().flaky).toBe('half-open');
    await clock.run(pool.submit(job('job-4')));
    expect(pool.breakerStates().flaky).toBe('open');
    clock.advance(10_000);
    const submission = await clock.run(pool.submit(job('job-5')));
    expect(submission.handle.providerId).toBe('flaky');
    expect(pool.breakerStates().flaky).toBe('closed');
    expect(events('breaker_changed').map((entry) => `${entry.jobId}: ${entry.from} → ${entry.to}`)).toEqual([
      'job-2: closed → open',
      'job-4: open → half-open',
      'job-4: half-open → open',
      'job-5: open → half-open',
      'job-5: half-open → closed',
    ]);
  });

  it('skips a provider its health check found unhealthy until a check finds it healthy again', async () => {
    const { pool, providers, events, clock } = setUp({ first: [], second: [] });
    providers.first.healthy = false;
    expect(await clock.run(pool.checkHealth())).toEqual({
      first: { healthy: false, detail: 'down' },
      second: { healthy: true, detail: 'ready' },
    });
    expect((await clock.run(pool.submit(job('job-1')))).handle.providerId).toBe('second');
    providers.first.healthy = true;
    await clock.run(pool.checkHealth());
    expect((await clock.run(pool.submit(job('job-2')))).handle.providerId).toBe('first');
    expect(events('health_changed').map((entry) => `${entry.providerId} ${entry.healthy}`)).toEqual([
      'first false',
      'second true',
      'first true',
    ]);
  });

  it('takes health verdicts from a shared check, ignoring providers it does not have', async () => {
    const { pool, providers, clock } = setUp({ first: [], second: [] });
    pool.applyHealth({ first: { healthy: false }, elsewhere: { healthy: false } });
    expect((await clock.run(pool.submit(job('job-1')))).handle.providerId).toBe('second');
    expect(providers.first.calls).toHaveLength(0);
    pool.applyHealth({ first: { healthy: true } });
    expect((await clock.run(pool.submit(job('job-2')))).handle.providerId).toBe('first');
  });

  it('stops retrying when the caller aborts', async () => {
    const { pool, providers, clock } = setUp({ only: [unreachable] });
    const controller = new AbortController();
    const submission = pool.submit(job(), { abortSignal: controller.signal });
    controller.abort(new Error('client went away'));
    await expect(clock.run(submission)).rejects.toMatchObject({ code: 'provider_unreachable' });
    expect(providers.only.calls).toHaveLength(1);
  });

  it('checks health on an interval until stopped', async () => {
    const { pool, providers, events, clock } = setUp({ first: [] });
    const stop = new AbortController();
    const running = pool.runHealthChecks(30_000, stop.signal);
    await new Promise((resolve) => setImmediate(resolve));
    providers.first.healthy = false;
    clock.advance(30_000);
    await new Promise((resolve) => setImmediate(resolve));
    stop.abort();
    await running;
    expect(events('health_changed').map((entry) => entry.healthy)).toEqual([true, false]);
  });

  it('asks the provider that holds a job about it, and refuses a handle from elsewhere', async () => {
    const { pool, events, clock } = setUp({ first: [] });
    const { handle } = await clock.run(pool.submit(job()));
    expect(await pool.status(handle)).toEqual({ state: 'queued' });
    expect(await pool.cancel(handle)).toEqual({ canceled: false, warnings: [] });
    expect(events('cancel_requested')).toEqual([
      expect.objectContaining({ jobId: 'job-1', providerId: 'first', canceled: false }),
    ]);
    expect(() => pool.status({ ...handle, providerId: 'elsewhere' })).toThrow(
      'provider "elsewhere" of job job-1 is not in this pool; it holds first',
    );
  });
});
