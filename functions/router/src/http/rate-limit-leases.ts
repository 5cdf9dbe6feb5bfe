import type { LeaseAnswer } from '../tenancy/rate-limiter.ts';
import {
  type BucketDecision,
  type BucketState,
  bucketView,
  msUntilWholeToken,
  RATE_LIMIT_WINDOW_MS,
  refill,
} from '../tenancy/token-bucket.ts';

/**
 * How long an isolate may spend the tokens it leased from a bucket's `RateLimiter`, and trust a refusal, ms. It bounds
 * what a lease can outlive: a key revoked, or given a lower limit, is held to it on every isolate within this time.
 */
export const LEASE_MS = 1_000;
/** Buckets one isolate holds tokens of; the first leased is forgotten first, with the tokens it held unspent. */
export const LEASED_BUCKETS = 10_000;

/** Asks the bucket's `RateLimiter` for up to `want` tokens, putting back `returned` (`RateLimiter.lease`). */
export type LeaseCall = (want: number, returned: number) => Promise<LeaseAnswer>;

interface LeasedBucket {
  /** Tokens leased and not spent yet. */
  tokens: number;
  /** Until when they may be spent, ms. */
  until: number;
  /** Tokens spent since the last call that leases ahead was made: what sizes the next. */
  spent: number;
  /** Whether a call that may lease more than one token is out: one at a time. */
  renewing: boolean;
  /** Until when a refusal stands (the bucket held no whole token), ms. */
  refusedUntil: number;
  /** When the last refusal was answered, ms; 0 once a token is granted. */
  refusedAt: number;
  /** When the bucket will hold a whole token again, ms, as of the last refusal. */
  retryAt: number;
  /** The bucket as the limiter last answered, and its limit (for the headers). */
  bucket: BucketState;
  limit: number;
}

/** A second's refill (`LEASE_MS`) of a bucket: the most one isolate leases ahead of its requests. */
const leaseCap = (limit: number) => Math.max(1, Math.ceil((limit * LEASE_MS) / RATE_LIMIT_WINDOW_MS));

/**
 * The rate-limit tokens this isolate leased, by bucket. A request spends one of its bucket's leased tokens. When there
 * is none, it asks the bucket's `RateLimiter` itself; the first to ask while no other lease is being asked for takes as
 * many as were spent since the last (twice that if they ran out before their lease ended, and never more than a
 * second's refill) for the requests that follow. A busy key's requests thus visit the object about once per isolate and
 * `LEASE_MS`, a quiet key's once each, as before. A refusal (no whole token) is answered here until the bucket refills
 * one, or `LEASE_MS`, and then while the call that takes that token is out. Unspent tokens go back to the bucket with the next lease asked for after theirs ends; an isolate
 * that never asks again keeps at most a second's refill of each bucket from it. Nothing waits for another request's
 * call (workerd cannot resume one request with another's I/O).
 *
 * The limit holds whatever the isolates do, since each admitted request spends a token taken from the bucket. What
 * leasing loosens is bounded by `LEASE_MS`: a revocation or a lower limit reaches an isolate holding tokens when they
 * expire, and the `x-ratelimit-*` headers count as remaining the tokens this isolate holds, not other isolates'.
 */
export class RateLimitLeases {
  private readonly buckets = new Map<string, LeasedBucket>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = LEASED_BUCKETS,
  ) {}

  /** Admits one request against `name`'s bucket, or refuses it; `{ revoked: true }` for a revoked key's. */
  take(name: string, call: LeaseCall): Promise<BucketDecision | { revoked: true }> {
    const held = this.held(name);
    return held ? Promise.resolve(held) : this.ask(name, this.buckets.get(name), this.now(), call);
  }

  /**
   * Admits or refuses one request against `name`'s bucket if this isolate can decide alone (it holds a token, or a
   * refusal that stands), at once; undefined if the limiter must be asked (`take`).
   */
  held(name: string): BucketDecision | undefined {
    const now = this.now();
    const held = this.buckets.get(name);
    if (!held) return undefined;
    if (now < held.until && held.tokens > 0) {
      held.tokens--;
      held.spent++;
      return decision(held, now, true);
    }
    // Refused until the bucket refills a token; and while a call is out that will take the first refilled.
    if (now < held.refusedUntil || (held.renewing && held.refusedAt > 0 && now < held.refusedAt + LEASE_MS)) {
      return decision(held, now, false);
    }
    return undefined;
  }

  /** Forgets `name`'s tokens, unspent ones and all: this isolate asks its limiter on the bucket's next request. */
  forget(name: string): void {
    this.buckets.delete(name);
  }

  /** A call to the limiter for this request's token, and for those that follow unless another call is out for them. */
  private async ask(
    name: string,
    held: LeasedBucket | undefined,
    now: number,
    call: LeaseCall,
  ): Promise<BucketDecision | { revoked: true }> {
    const bucket = held ?? this.add(name);
    const ahead = !bucket.renewing;
    let [want, returned] = [1, 0];
    if (ahead) {
      const ranOut = now < bucket.until;
      // Tokens of a lease that ended go back; the call has them whether or not its answer comes.
      returned = ranOut ? 0 : bucket.tokens;
      bucket.tokens -= returned;
      want = Math.min(Math.max(1, ranOut ? 2 * bucket.spent : bucket.spent), leaseCap(bucket.limit));
      bucket.spent = 0;
      bucket.renewing = true;
    }
    let answer: LeaseAnswer;
    try {
      answer = await call(want, returned);
    } finally {
      if (ahead) bucket.renewing = false;
    }
    if ('revoked' in answer) {
      this.forget(name);
      return answer;
    }
    const at = this.now();
    bucket.bucket = { tokens: answer.tokens, updatedAtMs: at };
    bucket.limit = answer.limit;
    if (answer.granted === 0) {
      refuse(bucket, at, answer.retryAfterMs);
      return decision(bucket, at, false);
    }
    bucket.tokens += answer.granted - 1;
    bucket.until = at + LEASE_MS;
    bucket.spent++;
    // A grant that emptied the bucket: once this isolate's tokens are spent, its requests are refused here as after a
    // refusal, rather than each asking the limiter for a token it has not refilled (at 50 requests at once and the
    // default limit, 50 calls per refilled token).
    const wait = msUntilWholeToken(answer.tokens, answer.limit);
    if (wait > 0) refuse(bucket, at, wait);
    else [bucket.refusedUntil, bucket.refusedAt] = [0, 0];
    return decision(bucket, at, true);
  }

  private add(name: string): LeasedBucket {
    const bucket: LeasedBucket = {
      tokens: 0,
      until: 0,
      spent: 0,
      renewing: false,
      refusedUntil: 0,
      refusedAt: 0,
      retryAt: 0,
      bucket: { tokens: 0, updatedAtMs: 0 },
      limit: 1,
    };
    this.buckets.set(name, bucket);
    // A Map iterates in insertion order: the first bucket is the one leased longest ago.
    if (this.buckets.size > this.capacity) this.buckets.delete(this.buckets.keys().next().value as string);
    return bucket;
  }
}

/** Marks `bucket` as holding no whole token at `at` until `retryAfterMs` later: refusals stand until then, or `LEASE_MS`. */
function refuse(bucket: LeasedBucket, at: number, retryAfterMs: number): void {
  bucket.retryAt = at + retryAfterMs;
  bucket.refusedUntil = at + Math.min(retryAfterMs, LEASE_MS);
  bucket.refusedAt = at;
}

/**
 * The headers' view of `bucket` at `now` for a request admitted or refused: the bucket refilled since the limiter
 * answered, plus the tokens this isolate holds unspent, within the limit.
 */
function decision(bucket: LeasedBucket, now: number, allowed: boolean): BucketDecision {
  const { limit } = bucket;
  const tokens = Math.min(limit, refill(bucket.bucket, limit, now) + bucket.tokens);
  return {
    allowed,
    limit,
    ...bucketView(tokens, limit),
    retryAfterMs: allowed ? 0 : Math.max(1, bucket.retryAt - now),
  };
}
