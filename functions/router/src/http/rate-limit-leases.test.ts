import { describe, expect, it } from 'vitest';
import type { LeaseAnswer } from '../tenancy/rate-limiter.ts';
import { type BucketState, takeTokens } from '../tenancy/token-bucket.ts';
import { LEASE_MS, type LeaseCall, RateLimitLeases } from './rate-limit-leases.ts';

/** A clock the test moves. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/**
 * `RateLimiter.lease` as the object runs it (the same `takeTokens` over one bucket; the object itself is tested in
 * workerd, test/router/rate-limits.workerd.test.ts), answering after a turn of the event loop like a call would.
 */
function limiter(limit: number, now: () => number) {
  let state: BucketState | undefined;
  let revoked = false;
  const calls: { want: number; returned: number }[] = [];
  const lease: LeaseCall = async (want, returned) => {
    calls.push({ want, returned });
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (revoked) return { revoked: true } as LeaseAnswer;
    const take = takeTokens(state, limit, now(), want, returned);
    state = take.state;
    return { granted: take.granted, limit, tokens: take.state.tokens, retryAfterMs: take.retryAfterMs };
  };
  return { lease, calls, revoke: () => (revoked = true), tokens: () => state?.tokens ?? limit };
}

const allowed = (decisions: Awaited<ReturnType<RateLimitLeases['take']>>[]) =>
  decisions.filter((decision) => 'allowed' in decision && decision.allowed).length;

describe('RateLimitLeases', () => {
  it("asks a quiet key's limiter once a request, for one token, and reports its bucket exactly", async () => {
    const time = clock();
    const bucket = limiter(6, time.now);
    const leases = new RateLimitLeases(time.now);
    const decisions = [];
    for (let i = 0; i < 3; i++) {
      decisions.push(await leases.take('key', bucket.lease));
      time.advance(2 * LEASE_MS);
    }
    // 6 a minute refill 0.2 tokens in 2 s: 6 → 5, 5.2 → 4.2, 4.4 → 3.4.
    expect(decisions).toEqual([
      { allowed: true, limit: 6, remaining: 5, resetMs: 10_000, retryAfterMs: 0 },
      { allowed: true, limit: 6, remaining: 4, resetMs: 18_000, retryAfterMs: 0 },
      { allowed: true, limit: 6, remaining: 3, resetMs: 26_000, retryAfterMs: 0 },
    ]);
    expect(bucket.calls).toEqual([
      { want: 1, returned: 0 },
      { want: 1, returned: 0 },
      { want: 1, returned: 0 },
    ]);
  });

  it("leases a busy key's tokens ahead, doubling to a second's refill, and counts down as one bucket would", async () => {
    const time = clock();
    const bucket = limiter(600, time.now);
    const leases = new RateLimitLeases(time.now);
    const remaining: number[] = [];
    for (let i = 0; i < 40; i++) {
      const decision = await leases.take('key', bucket.lease);
      if (!('allowed' in decision) || !decision.allowed) throw new Error(`request ${i} refused`);
      remaining.push(decision.remaining);
    }
    // The clock stood still: the bucket refilled nothing, so each request left exactly one fewer.
    expect(remaining).toEqual(Array.from({ length: 40 }, (_, i) => 599 - i));
    // 1, then twice what was spent, up to 600 a minute's second: 10.
    expect(bucket.calls.map(({ want }) => want)).toEqual([1, 2, 4, 8, 10, 10, 10]);
    expect(bucket.tokens()).toBe(600 - 45);
  });

  it('never admits more than the bucket holds, however many isolates and requests at once', async () => {
    const time = clock();
    const bucket = limiter(60, time.now);
    const isolates = [new RateLimitLeases(time.now), new RateLimitLeases(time.now), new RateLimitLeases(time.now)];
    const admitted: number[] = [];
    for (let second = 0; second < 5; second++) {
      const burst = await Promise.all(Array.from({ length: 90 }, (_, i) => isolates[i % 3].take('key', bucket.lease)));
      admitted.push(allowed(burst));
      time.advance(LEASE_MS);
    }
    // A full bucket of 60, then 1 a second: 60 + 4 at most.
    expect(admitted[0]).toBe(60);
    expect(admitted.reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(64);
  });

  it('asks once for each request waiting on a cold bucket, and later leases what they spent', async () => {
    const time = clock();
    const bucket = limiter(6_000, time.now);
    const leases = new RateLimitLeases(time.now);
    const burst = await Promise.all(Array.from({ length: 50 }, () => leases.take('key', bucket.lease)));
    expect(allowed(burst)).toBe(50);
    expect(bucket.calls).toHaveLength(50);
    await leases.take('key', bucket.lease);
    // 50 were spent since the first call was made: twice that, within 6,000 a minute's second (100).
    expect(bucket.calls.at(-1)).toEqual({ want: 100, returned: 0 });
    const next = await Promise.all(Array.from({ length: 97 }, () => leases.take('key', bucket.lease)));
    expect(allowed(next)).toBe(97);
    expect(bucket.calls).toHaveLength(51);
  });

  it('spends no token after its lease ends, and gives the unspent back with the next call', async () => {
    const time = clock();
    const bucket = limiter(600, time.now);
    const leases = new RateLimitLeases(time.now);
    for (let i = 0; i < 4; i++) await leases.take('key', bucket.lease);
    // Leases of 1, 2 and 4: 7 taken, 4 spent, 3 held.
    expect(bucket.calls.map(({ want }) => want)).toEqual([1, 2, 4]);
    time.advance(LEASE_MS);
    await leases.take('key', bucket.lease);
    // One was spent since the last lease was asked for: a lease of one.
    expect(bucket.calls.at(-1)).toEqual({ want: 1, returned: 3 });
  });

  it('answers a refusal itself until the bucket refills a token, then asks again', async () => {
    const time = clock();
    const bucket = limiter(3, time.now);
    const leases = new RateLimitLeases(time.now);
    for (let i = 0; i < 3; i++) expect(await leases.take('key', bucket.lease)).toMatchObject({ allowed: true });
    const calls = bucket.calls.length;
    // The grant of the last token said the bucket was empty: refused here, without a call.
    const refused = await leases.take('key', bucket.lease);
    expect(refused).toEqual({ allowed: false, limit: 3, remaining: 0, resetMs: 60_000, retryAfterMs: 20_000 });
    time.advance(500);
    // 3 a minute refill one token in 20 s; a refusal stands here for LEASE_MS at most.
    expect(await leases.take('key', bucket.lease)).toMatchObject({ allowed: false, retryAfterMs: 19_500 });
    expect(bucket.calls).toHaveLength(calls);
    time.advance(LEASE_MS);
    expect(await leases.take('key', bucket.lease)).toMatchObject({ allowed: false, retryAfterMs: 18_500 });
    expect(bucket.calls).toHaveLength(calls + 1);
    time.advance(500);
    expect(await leases.take('key', bucket.lease)).toMatchObject({ allowed: false, retryAfterMs: 18_000 });
    expect(bucket.calls).toHaveLength(calls + 1);
    time.advance(18_000);
    expect(await leases.take('key', bucket.lease)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('refuses the requests that come while the call that takes the next refilled token is out', async () => {
    const time = clock();
    const bucket = limiter(600, time.now);
    const leases = new RateLimitLeases(time.now);
    await Promise.all(Array.from({ length: 600 }, () => leases.take('key', bucket.lease)));
    expect(await leases.take('key', bucket.lease)).toMatchObject({ allowed: false, retryAfterMs: 100 });
    time.advance(100);
    const calls = bucket.calls.length;
    const burst = await Promise.all(Array.from({ length: 20 }, () => leases.take('key', bucket.lease)));
    expect(allowed(burst)).toBe(1);
    expect(bucket.calls).toHaveLength(calls + 1);
    // That grant emptied the bucket: the requests after it are refused here too, until the next token refills.
    time.advance(50);
    const after = await Promise.all(Array.from({ length: 20 }, () => leases.take('key', bucket.lease)));
    expect(allowed(after)).toBe(0);
    expect(after[0]).toMatchObject({ allowed: false, retryAfterMs: 50 });
    expect(bucket.calls).toHaveLength(calls + 1);
    time.advance(50);
    const next = await Promise.all(Array.from({ length: 20 }, () => leases.take('key', bucket.lease)));
    expect(allowed(next)).toBe(1);
    expect(bucket.calls).toHaveLength(calls + 2);
  });

  it("stops a revoked key's requests when its lease ends, and at once where its lease is forgotten", async () => {
    const time = clock();
    const bucket = limiter(600, time.now);
    const [here, elsewhere] = [new RateLimitLeases(time.now), new RateLimitLeases(time.now)];
    // Leases of 1 and 2 each: each isolate holds one token.
    for (let i = 0; i < 2; i++)
      await Promise.all([here.take('key', bucket.lease), elsewhere.take('key', bucket.lease)]);
    bucket.revoke();
    here.forget('key');
    expect(await here.take('key', bucket.lease)).toEqual({ revoked: true });
    // The other isolate spends the token it holds, until its lease ends.
    expect(await elsewhere.take('key', bucket.lease)).toMatchObject({ allowed: true });
    time.advance(LEASE_MS);
    expect(await elsewhere.take('key', bucket.lease)).toEqual({ revoked: true });
  });

  it('decides at once while it holds a token or a refusal, and otherwise leaves it to the limiter', async () => {
    const time = clock();
    const bucket = limiter(600, time.now);
    const leases = new RateLimitLeases(time.now);
    expect(leases.held('key')).toBeUndefined();
    await leases.take('key', bucket.lease);
    // The one token leased was spent: the next request needs the limiter, which leases two.
    expect(leases.held('key')).toBeUndefined();
    await leases.take('key', bucket.lease);
    expect(leases.held('key')).toEqual({ allowed: true, limit: 600, remaining: 597, resetMs: 300, retryAfterMs: 0 });
    expect(leases.held('key')).toBeUndefined();
    while (await leases.take('key', bucket.lease).then((decision) => 'allowed' in decision && decision.allowed)) {}
    expect(leases.held('key')).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 100 });
  });

  it('forgets the bucket leased longest ago beyond its capacity', async () => {
    const time = clock();
    const buckets = [limiter(600, time.now), limiter(600, time.now), limiter(600, time.now)];
    const leases = new RateLimitLeases(time.now, 2);
    for (const [i, bucket] of buckets.entries()) await leases.take(`key-${i}`, bucket.lease);
    await leases.take('key-2', buckets[2].lease);
    await leases.take('key-0', buckets[0].lease);
    // key-0 was forgotten when key-2 came, so its second request asked for one token as a first does.
    expect(buckets.map(({ calls }) => calls.map(({ want }) => want))).toEqual([[1, 1], [1], [1, 2]]);
  });
});
