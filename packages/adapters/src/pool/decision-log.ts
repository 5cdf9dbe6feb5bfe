import type { PoolEntry } from './pool-entry.ts';
import type { PoolLogEntry, PoolLogger } from './pool-log.ts';

/** The pool's decisions, each one structured log line with the job id (none only for health checks). */
export class DecisionLog {
  constructor(private readonly logger: PoolLogger) {}

  decide(
    level: PoolLogEntry['level'],
    event: string,
    jobId: string | undefined,
    facts: Record<string, unknown> = {},
  ): void {
    this.logger({ level, event, ...(jobId === undefined ? {} : { jobId }), ...facts });
  }

  /** Logs a breaker's transition once, with the job that caused or saw it. */
  breakerChanged(entry: PoolEntry, jobId: string): void {
    const state = entry.breaker.state;
    if (state === entry.loggedState) return;
    this.decide(state === 'open' ? 'warn' : 'info', 'breaker_changed', jobId, {
      providerId: entry.id,
      from: entry.loggedState,
      to: state,
    });
    entry.loggedState = state;
  }
}
