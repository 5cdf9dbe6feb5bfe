import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.ts';

function breaker() {
  let now = 0;
  const instance = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000, now: () => now });
  return { breaker: instance, wait: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, not before', () => {
    const { breaker: subject } = breaker();
    subject.recordFailure();
    subject.recordFailure();
    expect(subject.state).toBe('closed');
    subject.recordFailure();
    expect(subject.state).toBe('open');
    expect(subject.tryAcquire()).toBe(false);
  });

  it('counts only consecutive failures: a success starts the count again', () => {
    const { breaker: subject } = breaker();
    subject.recordFailure();
    subject.recordFailure();
    subject.recordSuccess();
    subject.recordFailure();
    subject.recordFailure();
    expect(subject.state).toBe('closed');
  });

  it('turns half-open after the cool-down and lets exactly one trial through', () => {
    const { breaker: subject, wait } = breaker();
    for (let failure = 0; failure < 3; failure++) subject.recordFailure();
    wait(999);
    expect(subject.state).toBe('open');
    expect(subject.reopensAt).toBe(1_000);
    wait(1);
    expect(subject.state).toBe('half-open');
    expect(subject.tryAcquire()).toBe(true);
    expect(subject.tryAcquire()).toBe(false);
  });

  it('closes when the trial succeeds and reopens for a new cool-down when it fails', () => {
    const { breaker: subject, wait } = breaker();
    for (let failure = 0; failure < 3; failure++) subject.recordFailure();
    wait(1_000);
    subject.tryAcquire();
    subject.recordFailure();
    expect(subject.state).toBe('open');
    wait(999);
    expect(subject.state).toBe('open');
    wait(1);
    subject.tryAcquire();
    subject.recordSuccess();
    expect(subject.state).toBe('closed');
    expect(subject.tryAcquire()).toBe(true);
  });

  it('frees the trial slot when a call ends without a verdict', () => {
    const { breaker: subject, wait } = breaker();
    for (let failure = 0; failure < 3; failure++) subject.recordFailure();
    wait(1_000);
    expect(subject.tryAcquire()).toBe(true);
    subject.release();
    expect(subject.state).toBe('half-open');
    expect(subject.tryAcquire()).toBe(true);
  });
});
