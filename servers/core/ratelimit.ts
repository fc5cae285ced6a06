/**
 * Per-key sliding-window request limits on the machine's real clock (rate limits are about real
 * request rates, not emulator time): `limit` requests per `windowMs` for each key (a user, an
 * access key, an operation). Vendors map a refusal to their own 429 or ThrottlingException; the
 * throttle fault uses the same limiter.
 */
export class RateLimiter {
  /** Per key, the times of the last `limit` requests let through, as a ring (`next` is the oldest once full). */
  private granted = new Map<string, { times: number[]; next: number }>();

  /** `limit` <= 0 means no limit. */
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** At most `burst` requests (default `perSecond`, at least 1) in any `burst / perSecond` seconds. */
  static perSecond(perSecond: number, burst = Math.max(1, perSecond)): RateLimiter {
    const limit = Math.max(1, Math.floor(burst));
    return new RateLimiter(limit, (limit / perSecond) * 1000);
  }

  get enabled(): boolean {
    return this.limit > 0;
  }

  /** Counts the request when it may proceed; otherwise says how long until it would. */
  take(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterMs: number } {
    if (this.limit <= 0) return { ok: true };
    let g = this.granted.get(key);
    if (!g) this.granted.set(key, (g = { times: [], next: 0 }));
    if (g.times.length < this.limit) {
      g.times.push(now);
      return { ok: true };
    }
    // Full ring: the request may go only once the oldest of the last `limit` has left the window.
    const oldest = g.times[g.next];
    if (oldest > now - this.windowMs) return { ok: false, retryAfterMs: Math.max(1, oldest + this.windowMs - now) };
    g.times[g.next] = now;
    g.next = (g.next + 1) % this.limit;
    return { ok: true };
  }
}
