import type { ImageProviderV1 } from '../spec/image-provider-v1.ts';
import { type BreakerState, CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';

/** Where a provider stands in the pool's order, and what it serves. */
export interface PoolPlacement {
  priority: number;
  weight: number;
  models: readonly string[];
  /** Time limit of one submit attempt, ms. */
  attemptTimeoutMs: number;
}

/** A provider in the pool, with what the pool has learned of it. */
export class PoolEntry {
  readonly breaker: CircuitBreaker;
  readonly priority: number;
  readonly weight: number;
  readonly models: readonly string[];
  readonly attemptTimeoutMs: number;
  /** The last health check's verdict; `undefined` before the first. */
  healthy: boolean | undefined;
  /** Not before this time (ms since the epoch): the provider's `Retry-After`. */
  notBefore = 0;
  /** The breaker state last logged, to log each transition once. */
  loggedState: BreakerState = 'closed';

  constructor(
    readonly provider: ImageProviderV1,
    placement: PoolPlacement,
    breaker: Omit<CircuitBreakerOptions, 'now'>,
    now: () => number,
  ) {
    ({ priority: this.priority, weight: this.weight, models: this.models } = placement);
    this.attemptTimeoutMs = placement.attemptTimeoutMs;
    this.breaker = new CircuitBreaker({ ...breaker, now });
  }

  get id(): string {
    return this.provider.id;
  }

  /** Why the pool should not try this provider now, or `undefined` when it may. */
  skipReason(now: number): 'unhealthy' | 'breaker_open' | 'retry_after' | undefined {
    if (this.healthy === false) return 'unhealthy';
    if (this.breaker.state === 'open') return 'breaker_open';
    return this.notBefore > now ? 'retry_after' : undefined;
  }

  /** When this provider may next be tried (its breaker's cool-down, its `Retry-After`), not before `now`. */
  availableAt(now: number): number {
    return Math.max(this.breaker.reopensAt ?? now, this.notBefore, now);
  }
}
