import type { Clock } from '../spec/clock.ts';
import type { HealthReport } from '../spec/image-provider-v1.ts';
import { timeLimit } from '../transport/time-limit.ts';
import type { DecisionLog } from './decision-log.ts';
import type { PoolEntry } from './pool-entry.ts';

/**
 * Asks every provider for its health at once, each under `timeoutMs`; a provider found unhealthy is skipped by the
 * pool until a later check finds it healthy. Changes are logged.
 */
export async function checkHealth(
  entries: readonly PoolEntry[],
  context: { clock: Clock; timeoutMs: number; decisions: DecisionLog; abortSignal?: AbortSignal },
): Promise<Record<string, HealthReport>> {
  const { clock, timeoutMs, decisions } = context;
  const reports = await Promise.all(
    entries.map(async (entry) => {
      const timedOut = () => new Error(`no answer within ${timeoutMs} ms`);
      const limit = timeLimit(clock, timeoutMs, timedOut, context.abortSignal);
      try {
        const report = await entry.provider.health({ abortSignal: limit.signal });
        // A check the caller stopped says nothing of the provider.
        if (context.abortSignal?.aborted) return [entry.id, report] as const;
        if (report.healthy !== entry.healthy) {
          decisions.decide(report.healthy ? 'info' : 'warn', 'health_changed', undefined, {
            providerId: entry.id,
            ...report,
          });
        }
        entry.healthy = report.healthy;
        return [entry.id, report] as const;
      } finally {
        limit.clear();
      }
    }),
  );
  return Object.fromEntries(reports);
}
