/**
 * One token bucket per key (a source address): `ratePerSec` tokens a second, at most `capacity` saved up. A full
 * bucket is forgotten (it says nothing a fresh one would not), so the map holds only addresses active in the last
 * second or so; `maxKeys` bounds it against a flood from many addresses, evicting the least recently seen.
 */
export interface TokenBucketsOptions {
  ratePerSec: number;
  /** Requests one address may send at once after a quiet second; default one second's worth. */
  capacity?: number;
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly capacity: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private lastSweep: number;

  constructor(o: TokenBucketsOptions) {
    this.rate = o.ratePerSec / 1000;
    this.capacity = Math.max(1, o.capacity ?? o.ratePerSec);
    this.maxKeys = o.maxKeys ?? 100_000;
    this.now = o.now ?? (() => performance.now());
    this.lastSweep = this.now();
  }

  /** Takes a token for `key`: true if it had one (the request may pass). */
  take(key: string): boolean {
    const t = this.now();
    if (t - this.lastSweep > 10_000) this.sweep(t);
    const bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evict(t);
      this.buckets.set(key, { tokens: this.capacity - 1, at: t });
      return true;
    }
    // Re-inserted so the map's order is least recently seen first (what evict() drops).
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (t - bucket.at) * this.rate);
    bucket.at = t;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Whether `key` would be refused now (nothing taken). */
  isEmpty(key: string): boolean {
    const bucket = this.buckets.get(key);
    return bucket !== undefined && bucket.tokens + (this.now() - bucket.at) * this.rate < 1;
  }

  /** Seconds until `key` has a token again (at least 1, for a Retry-After header). */
  retryAfterSeconds(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket || bucket.tokens >= 1) return 1;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate / 1000));
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(t: number): void {
    this.lastSweep = t;
    for (const [key, b] of this.buckets)
      if (b.tokens + (t - b.at) * this.rate >= this.capacity) this.buckets.delete(key);
  }

  private evict(t: number): void {
    this.sweep(t);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
