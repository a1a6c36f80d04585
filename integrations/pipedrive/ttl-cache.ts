/**
 * A single-flight cache for one lookup: concurrent callers share one request; a failure is not cached; the value
 * expires after `ttlMs` (Infinity = for the life of the process).
 */
export class TtlCache<T> {
  private entry: { value: Promise<T>; expiresAt: number } | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(load: () => Promise<T>): Promise<T> {
    const t = this.now();
    if (this.entry && this.entry.expiresAt > t) return this.entry.value;
    const value = load();
    const entry = { value, expiresAt: t + this.ttlMs };
    this.entry = entry;
    value.catch(() => {
      if (this.entry === entry) this.entry = undefined;
    });
    return value;
  }

  clear(): void {
    this.entry = undefined;
  }
}
