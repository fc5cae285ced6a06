/**
 * Per-key sliding-window request limits on the machine's real clock (rate limits are about real
 * request rates, not emulator time): `limit` requests per `windowMs` for each key (a user, an
 * access key, an operation). Vendors map a refusal to their own 429 or ThrottlingException.
 */
export class RateLimiter {
  private hits = new Map<string, number[]>();

  /** `limit` <= 0 means no limit. */
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  get enabled(): boolean {
    return this.limit > 0;
  }

  /** Counts the request when it may proceed; otherwise says how long until it would. */
  take(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterMs: number } {
    if (this.limit <= 0) return { ok: true };
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length >= this.limit) {
      this.hits.set(key, list);
      return { ok: false, retryAfterMs: Math.max(1, list[0] + this.windowMs - now) };
    }
    list.push(now);
    this.hits.set(key, list);
    return { ok: true };
  }
}
