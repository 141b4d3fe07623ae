/**
 * Per-credential write rate limits: a token bucket per actor, refilled at
 * the key's events/second (500 by default), holding one second's worth.
 * Each event of a batch takes one token. In memory: one Warden process
 * enforces its own share.
 *
 * A batch larger than one second's worth (1,000 events against 500/s) is
 * admitted once the bucket is full, and takes the bucket into debt: the
 * next request waits until the debt is paid back. Every batch within the
 * documented limit therefore goes through at the key's rate, and the
 * answer to a refused request says truthfully when the same request will
 * be admitted (Retry-After), provided nothing else of the key's spends
 * the tokens meanwhile.
 *
 * (rate-limiter-flexible, the library the team prefers, counts points per
 * fixed window and refuses any request costing more points than the
 * window holds, forever: the defect this design removes. Its bursty and
 * queued variants do not change that.)
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Whole tokens left after this request (never negative). */
  remaining: number;
  /** Seconds until enough tokens are back for this request (0 when allowed). */
  retryAfter: number;
  /** Seconds until the bucket is full again. */
  reset: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  take(actor: string, perSecond: number, cost: number): RateDecision {
    const t = this.now();
    const bucket = this.buckets.get(actor) ?? { tokens: perSecond, updated: t };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((t - bucket.updated) / 1000) * perSecond);
    bucket.updated = t;
    this.buckets.set(actor, bucket);
    if (this.buckets.size > 100_000) this.buckets.delete(this.buckets.keys().next().value!);
    // what must be in the bucket: the request's cost, at most a full bucket
    const needed = Math.min(cost, perSecond);
    if (bucket.tokens >= needed) {
      bucket.tokens -= cost; // may go below zero: the debt of a batch over one second's worth
      return { allowed: true, limit: perSecond, remaining: Math.max(0, Math.floor(bucket.tokens)), retryAfter: 0, reset: secondsUntil(perSecond - bucket.tokens, perSecond) };
    }
    return {
      allowed: false,
      limit: perSecond,
      remaining: Math.max(0, Math.floor(bucket.tokens)),
      retryAfter: Math.max(1, secondsUntil(needed - bucket.tokens, perSecond)),
      reset: secondsUntil(perSecond - bucket.tokens, perSecond),
    };
  }
}

/** Whole seconds for `missing` tokens to come back at `perSecond` (rounded up, so waiting that long is always enough). */
function secondsUntil(missing: number, perSecond: number): number {
  return missing <= 0 ? 0 : Math.ceil(missing / perSecond);
}
