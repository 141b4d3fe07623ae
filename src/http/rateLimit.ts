/**
 * Per-credential write rate limits: a token bucket per actor, refilled at
 * the key's events/second (500 by default), holding one second's worth.
 * Each event of a batch takes one token. In memory: one Warden process
 * enforces its own share.
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until enough tokens are back for this request. */
  retryAfter: number;
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
    if (cost <= bucket.tokens) {
      bucket.tokens -= cost;
      return { allowed: true, limit: perSecond, remaining: Math.floor(bucket.tokens), retryAfter: 0 };
    }
    const missing = Math.min(cost, perSecond) - bucket.tokens;
    return { allowed: false, limit: perSecond, remaining: Math.floor(bucket.tokens), retryAfter: Math.max(1, Math.ceil(missing / perSecond)) };
  }
}
