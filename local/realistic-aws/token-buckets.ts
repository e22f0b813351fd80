/**
 * AWS's request throttling as token buckets in virtual time: each call takes a token from every
 * bucket that applies to it; an empty bucket answers as that service answers a throttled call.
 */
import type { TokenBucket } from './aws-timings';

interface BucketState {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly state = new Map<string, BucketState>();

  /** @param scale multiplies every capacity and rate (below 1: an account busy with other callers). */
  constructor(private readonly scale = 1) {}

  /**
   * Takes `cost` tokens from each bucket, or none if any lacks them; returns the key of the
   * first bucket that was short, if any.
   */
  take(
    buckets: readonly { key: string; bucket: TokenBucket; cost?: number }[],
    now: number,
  ): string | undefined {
    const levels = buckets.map(({ key, bucket, cost = 1 }) => {
      const capacity = Math.max(1, bucket.capacity * this.scale);
      const rate = bucket.refillPerSecond * this.scale;
      const previous = this.state.get(key) ?? { tokens: capacity, at: now };
      const tokens = Math.min(capacity, previous.tokens + ((now - previous.at) / 1000) * rate);
      return { key, tokens, cost: Math.min(cost, capacity) };
    });
    const short = levels.find((level) => level.tokens < level.cost);
    for (const level of levels) {
      this.state.set(level.key, { tokens: short ? level.tokens : level.tokens - level.cost, at: now });
    }
    return short?.key;
  }
}
