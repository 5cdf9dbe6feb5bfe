import type { Job, ResultManifest } from '@stipple/jobs';
import type { z } from 'zod';
import { AdapterValidationError } from '../errors/adapter-error.ts';
import { PoolError } from '../errors/pool-error.ts';
import { ProviderError } from '../errors/provider-error.ts';
import { type Clock, systemClock } from '../spec/clock.ts';
import type {
  AcceptedState,
  CallOptions,
  CancelResult,
  HealthReport,
  ImageProviderV1,
  JobStatus,
  ProviderJobHandle,
  ProviderOptions,
  ProviderWarning,
} from '../spec/image-provider-v1.ts';
import { jobHandle } from '../spec/job-handle.ts';
import { parseSettings } from '../spec/parse-settings.ts';
import { fullJitterDelayMs } from './backoff.ts';
import { DecisionLog } from './decision-log.ts';
import { checkHealth } from './health-check.ts';
import { PoolEntry } from './pool-entry.ts';
import { jsonLogger, type PoolLogger } from './pool-log.ts';
import { orderByPriorityAndWeight } from './provider-order.ts';
import { type PoolEntrySettings, poolEntrySettingsSchema, poolSettingsSchema } from './provider-pool-options.ts';
import { submitAttempt } from './submit-attempt.ts';

export interface ProviderPoolOptions extends z.input<typeof poolSettingsSchema> {
  providers: (PoolEntrySettings & { provider: ImageProviderV1 })[];
  clock?: Clock;
  /** Uniform in [0, 1): backoff jitter and weighted choice; default `Math.random`. */
  random?: () => number;
  /** Where decisions go; default one JSON line each on the console. */
  log?: PoolLogger;
}

export interface PoolSubmitOptions extends CallOptions {
  providerOptions?: ProviderOptions;
  /** Provider ids not to use (e.g. one whose status said the job failed before it started). */
  exclude?: readonly string[];
}

export interface PoolSubmission {
  handle: ProviderJobHandle;
  /** `unknown`: the last attempt may have started the job: poll `status`, never submit it elsewhere. */
  state: AcceptedState | 'unknown';
  /** Submit attempts made, across providers. */
  attempts: number;
  warnings: ProviderWarning[];
  /** Why the outcome is unknown, when it is. */
  error?: ProviderError;
}

/**
 * Routes jobs between GPU providers: by priority and weight among those serving the model, skipping unhealthy ones
 * and those whose breaker is open or whose `Retry-After` has not passed; retrying with capped, fully jittered backoff;
 * and failing over **only when a job provably never started**, so a job never runs twice. A job that may have
 * started comes back `unknown`, for its caller to poll. Every decision is logged with the job id.
 */
export class ProviderPool {
  private readonly entries: PoolEntry[];
  private readonly settings: z.output<typeof poolSettingsSchema>;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly decisions: DecisionLog;

  constructor(options: ProviderPoolOptions) {
    const { providers, clock, random, log, ...settings } = options;
    this.settings = parseSettings('pool', poolSettingsSchema, settings);
    this.clock = clock ?? systemClock;
    this.random = random ?? Math.random;
    this.decisions = new DecisionLog(log ?? jsonLogger);
    const now = () => this.clock.now();
    this.entries = providers.map(({ provider, ...entry }, index) => {
      if (providers.findIndex((other) => other.provider.id === provider.id) !== index) {
        const message = `provider id "${provider.id}" is used twice; give each provider its own id`;
        throw new AdapterValidationError('duplicate_provider', message);
      }
      const parsed = parseSettings(`pool entry ${provider.id}`, poolEntrySettingsSchema, entry);
      const timeoutMs = parsed.attemptTimeoutMs ?? this.settings.attemptTimeoutMs;
      return new PoolEntry(provider, { ...parsed, attemptTimeoutMs: timeoutMs }, this.settings.breaker, now);
    });
  }

  /** Places a job with one provider; see the class comment for the rules. */
  async submit(job: Job, options: PoolSubmitOptions = {}): Promise<PoolSubmission> {
    const { maxAttempts } = this.settings.retry;
    const serving = this.serving(job, options.exclude);
    const context = { clock: this.clock, decisions: this.decisions, ...options };
    const failures: ProviderError[] = [];
    let attempts = 0;
    for (let round = 0; ; round++) {
      for (const entry of this.candidates(serving, job.jobId)) {
        if (attempts >= maxAttempts) break;
        const outcome = await submitAttempt(entry, job, ++attempts, context);
        if (!(outcome instanceof ProviderError)) return { ...outcome, attempts };
        if (!outcome.neverStarted) {
          this.decisions.decide('warn', 'outcome_unknown', job.jobId, { providerId: entry.id, code: outcome.code });
          return { handle: jobHandle(entry.id, job), state: 'unknown', attempts, warnings: [], error: outcome };
        }
        if (outcome.code === 'invalid_job' || options.abortSignal?.aborted) {
          this.decisions.decide('warn', 'submit_ended', job.jobId, { providerId: entry.id, code: outcome.code });
          throw outcome;
        }
        failures.push(outcome);
        this.decisions.decide('info', 'failover', job.jobId, { from: entry.id, code: outcome.code, attempts });
      }
      // Rounds are bounded as well as attempts: a round in which no provider was ready makes no attempt.
      if (attempts >= maxAttempts || round + 1 >= maxAttempts) break;
      await this.backOff(serving, round, job.jobId, failures, options.abortSignal);
    }
    const codes = failures.map((failure) => failure.code);
    this.decisions.decide('error', 'providers_exhausted', job.jobId, { attempts, codes });
    const reasons = failures.map((failure) => failure.message).join('; ') || 'no provider was available';
    throw new PoolError(
      'providers_exhausted',
      `job ${job.jobId} found no provider in ${attempts} attempts: ${reasons}`,
      {
        retryable: failures.length === 0 || failures.some((failure) => failure.isRetryable),
        failures,
        jobId: job.jobId,
      },
    );
  }

  /** Where the job stands, asked of the provider that holds it. */
  status(handle: ProviderJobHandle, options: CallOptions = {}): Promise<JobStatus> {
    return this.holder(handle).provider.status({ handle, ...options });
  }

  result(handle: ProviderJobHandle, options: CallOptions = {}): Promise<ResultManifest | undefined> {
    return this.holder(handle).provider.result({ handle, ...options });
  }

  async cancel(handle: ProviderJobHandle, options: CallOptions = {}): Promise<CancelResult> {
    const outcome = await this.holder(handle).provider.cancel({ handle, ...options });
    const facts = { providerId: handle.providerId, canceled: outcome.canceled };
    this.decisions.decide('info', 'cancel_requested', handle.jobId, facts);
    return outcome;
  }

  /** One health check of every provider; a router runs it from a scheduled event or a Durable Object alarm. */
  checkHealth(options: CallOptions = {}): Promise<Record<string, HealthReport>> {
    const context = { clock: this.clock, timeoutMs: this.settings.healthTimeoutMs, decisions: this.decisions };
    return checkHealth(this.entries, { ...context, ...options });
  }

  /**
   * Takes health verdicts found elsewhere (a router keeps one shared check for its many short-lived pools): each
   * provider named is skipped while unhealthy, as after its own check. Ids the pool does not have are ignored.
   */
  applyHealth(reports: Readonly<Record<string, Pick<HealthReport, 'healthy'>>>): void {
    for (const entry of this.entries) {
      const report = reports[entry.id];
      if (report) entry.healthy = report.healthy;
    }
  }

  /**
   * Checks every provider's health now and then every `intervalMs` until `signal` aborts (in Node; in Workers, call
   * `checkHealth` from a Cron Trigger or a Durable Object alarm instead, as Workers have no background timers).
   */
  async runHealthChecks(intervalMs: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.checkHealth({ abortSignal: signal });
      await this.clock.sleep(intervalMs, signal).catch(() => undefined);
    }
  }

  /** Each provider's breaker state, for dashboards and tests. */
  breakerStates(): Record<string, string> {
    return Object.fromEntries(this.entries.map((entry) => [entry.id, entry.breaker.state]));
  }

  /** The entries serving the job's model, or a `no_provider` error naming what the pool serves. */
  private serving(job: Job, exclude: readonly string[] = []): PoolEntry[] {
    const serving = this.entries.filter((entry) => entry.models.includes(job.modelId) && !exclude.includes(entry.id));
    if (serving.length > 0) return serving;
    this.decisions.decide('error', 'no_provider', job.jobId, { modelId: job.modelId, exclude });
    const served = [...new Set(this.entries.flatMap((entry) => entry.models))].join(', ') || 'none';
    const message = `no provider serves model "${job.modelId}"${exclude.length ? ` outside ${exclude.join(', ')}` : ''}; the pool serves ${served}`;
    throw new PoolError('no_provider', message, { retryable: false, jobId: job.jobId });
  }

  /** Serving entries that may be tried now, in priority-and-weight order; the others' skips are logged. */
  private candidates(serving: PoolEntry[], jobId: string): PoolEntry[] {
    const now = this.clock.now();
    const ready = serving.filter((entry) => {
      this.decisions.breakerChanged(entry, jobId);
      const reason = entry.skipReason(now);
      if (reason) this.decisions.decide('info', 'provider_skipped', jobId, { providerId: entry.id, reason });
      return reason === undefined;
    });
    return orderByPriorityAndWeight(ready, this.random);
  }

  /** Waits before the next round: full-jitter backoff, or until a provider is back if that is later. */
  private async backOff(
    serving: PoolEntry[],
    round: number,
    jobId: string,
    failures: ProviderError[],
    signal?: AbortSignal,
  ): Promise<void> {
    const now = this.clock.now();
    const backoffMs = fullJitterDelayMs(round, this.settings.retry, this.random);
    const untilAvailableMs = Math.min(...serving.map((entry) => entry.availableAt(now))) - now;
    const delayMs = Math.max(backoffMs, untilAvailableMs);
    const { maxDelayMs } = this.settings.retry;
    if (delayMs > maxDelayMs) {
      this.decisions.decide('error', 'providers_exhausted', jobId, { round, retryAfterMs: untilAvailableMs });
      const message = `job ${jobId}: no provider can take it for ${untilAvailableMs} ms, longer than the pool waits (${maxDelayMs} ms)`;
      throw new PoolError('providers_exhausted', message, {
        retryable: true,
        retryAfterMs: untilAvailableMs,
        failures,
        jobId,
      });
    }
    this.decisions.decide('info', 'retry_scheduled', jobId, { round, delayMs, backoffMs });
    await this.clock.sleep(delayMs, signal);
  }

  private holder(handle: ProviderJobHandle): PoolEntry {
    const entry = this.entries.find((candidate) => candidate.id === handle.providerId);
    if (entry) return entry;
    const ids = this.entries.map((candidate) => candidate.id).join(', ');
    const message = `provider "${handle.providerId}" of job ${handle.jobId} is not in this pool; it holds ${ids}`;
    throw new AdapterValidationError('unknown_provider', message);
  }
}
