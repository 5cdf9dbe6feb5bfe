/** `closed`: calls pass; `open`: calls are refused until the cool-down ends; `half-open`: one trial call passes. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** Milliseconds an open breaker waits before letting one trial call through. */
  cooldownMs: number;
  now: () => number;
}

/**
 * A circuit breaker per provider (Nygard, "Release It!", Circuit Breaker): after `failureThreshold` consecutive
 * failures it opens and refuses calls; after `cooldownMs` it lets one trial through (half-open); the trial's success
 * closes it, its failure opens it for another cool-down.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private trialInFlight = false;

  constructor(private readonly options: CircuitBreakerOptions) {}

  /** The state now: an open breaker whose cool-down has passed reads as half-open. */
  get state(): BreakerState {
    if (this.current === 'open' && this.options.now() - this.openedAt >= this.options.cooldownMs) {
      this.current = 'half-open';
      this.trialInFlight = false;
    }
    return this.current;
  }

  /** When an open breaker will let a trial through, in ms since the epoch; `undefined` when not open. */
  get reopensAt(): number | undefined {
    return this.state === 'open' ? this.openedAt + this.options.cooldownMs : undefined;
  }

  /** Whether a call may go now; in half-open, true for one trial at a time. Each `true` needs a verdict or `release`. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.trialInFlight = false;
    this.current = 'closed';
  }

  recordFailure(): void {
    this.consecutiveFailures++;
    this.trialInFlight = false;
    if (this.current === 'half-open' || this.consecutiveFailures >= this.options.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.options.now();
    }
  }

  /** Ends a call that says nothing of the provider's health (a refused job, a busy answer). */
  release(): void {
    this.trialInFlight = false;
  }
}
