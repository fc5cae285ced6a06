import type { MiddlewareHandler } from 'hono';
import { fail } from './failure.js';
import { RateLimiter } from './ratelimit.js';
import { standardNormal } from './rng.js';

/**
 * Faults a test can switch on per vendor: added latency, 5xx answers, dropped connections and
 * throttling by real request rate. Each fault may target one route (a path prefix, or a method and
 * prefix like `POST /`). Clearing them restores normal service at once.
 */
export interface FaultSpec {
  /** `"/v1/organisations"` or `"GET /api/v1/logs"`; all routes when absent. */
  route?: string;
  /** Fixed ms, or a distribution. */
  latency?: number | { uniform: [number, number] } | { normal: { mean: number; stddev: number } } | { exponential: { mean: number } };
  /** Share of requests (0..1) answered with `errorStatus` in the vendor's shape. */
  errorRate?: number;
  errorStatus?: 500 | 502 | 503 | 504;
  /** Share of requests (0..1) whose connection is closed without an answer. */
  dropRate?: number;
  /**
   * Requests per second allowed, on real time: at most `burst` (default `perSecond`, at least 1) in
   * any `burst / perSecond` seconds; the rest get the vendor's 429 with `retryAfterSeconds` (default 1).
   */
  throttle?: { perSecond: number; burst?: number; retryAfterSeconds?: number };
}

export class FaultSet {
  private faults: FaultSpec[] = [];
  /** One limiter per fault with a throttle, by the fault's index. */
  private limiters = new Map<number, RateLimiter>();

  get active(): boolean {
    return this.faults.length > 0;
  }

  list(): FaultSpec[] {
    return this.faults;
  }

  set(faults: FaultSpec[]): void {
    this.faults = faults;
    this.limiters = new Map(faults.flatMap((f, i) => (f.throttle ? [[i, RateLimiter.perSecond(f.throttle.perSecond, f.throttle.burst)]] : [])));
  }

  clear(): void {
    this.set([]);
  }

  /** Validate untrusted JSON into fault specs, or a message naming the bad field. */
  static parse(input: unknown): { ok: true; faults: FaultSpec[] } | { ok: false; message: string } {
    const items = Array.isArray(input) ? input : [input];
    const out: FaultSpec[] = [];
    const rate = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
    const nonneg = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 600_000;
    for (let i = 0; i < items.length; i++) {
      const f = items[i] as Record<string, unknown>;
      const at = `faults[${i}]`;
      if (!f || typeof f !== 'object' || Array.isArray(f)) return { ok: false, message: `${at} must be an object` };
      const known = ['route', 'latency', 'errorRate', 'errorStatus', 'dropRate', 'throttle'];
      const extra = Object.keys(f).find((k) => !known.includes(k));
      if (extra) return { ok: false, message: `${at}.${extra} is not a fault field (${known.join(', ')})` };
      if (f.route !== undefined && (typeof f.route !== 'string' || !/^((GET|POST|PUT|DELETE|PATCH|HEAD) )?\//.test(f.route))) {
        return { ok: false, message: `${at}.route must be a path prefix like "/v1" or "POST /"` };
      }
      if (f.latency !== undefined) {
        const l = f.latency as Record<string, any>;
        const okLatency =
          nonneg(l) ||
          (l && Array.isArray(l.uniform) && l.uniform.length === 2 && nonneg(l.uniform[0]) && nonneg(l.uniform[1]) && l.uniform[0] <= l.uniform[1]) ||
          (l?.normal && nonneg(l.normal.mean) && nonneg(l.normal.stddev)) ||
          (l?.exponential && nonneg(l.exponential.mean));
        if (!okLatency) return { ok: false, message: `${at}.latency must be ms, {uniform:[min,max]}, {normal:{mean,stddev}} or {exponential:{mean}} (at most 600000)` };
      }
      if (f.errorRate !== undefined && !rate(f.errorRate)) return { ok: false, message: `${at}.errorRate must be between 0 and 1` };
      if (f.dropRate !== undefined && !rate(f.dropRate)) return { ok: false, message: `${at}.dropRate must be between 0 and 1` };
      if (f.errorStatus !== undefined && ![500, 502, 503, 504].includes(f.errorStatus as number)) {
        return { ok: false, message: `${at}.errorStatus must be 500, 502, 503 or 504` };
      }
      if (f.throttle !== undefined) {
        const t = f.throttle as Record<string, unknown>;
        if (!t || typeof t.perSecond !== 'number' || !(t.perSecond > 0)) return { ok: false, message: `${at}.throttle.perSecond must be a positive number` };
        if (t.burst !== undefined && !(typeof t.burst === 'number' && t.burst >= 1)) return { ok: false, message: `${at}.throttle.burst must be at least 1` };
        if (t.retryAfterSeconds !== undefined && !nonneg(t.retryAfterSeconds)) return { ok: false, message: `${at}.throttle.retryAfterSeconds must be a number of seconds` };
      }
      out.push(f);
    }
    return { ok: true, faults: out };
  }

  /** Middleware applying the faults before the vendor's own handling; failures are thrown for the vendor to render. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (this.faults.length === 0) return next();
      const path = new URL(c.req.url).pathname;
      for (let i = 0; i < this.faults.length; i++) {
        const f = this.faults[i];
        if (!matches(f.route, c.req.method, path)) continue;
        if (f.latency !== undefined) await sleep(sampleLatency(f.latency));
        if (f.throttle && !this.limiters.get(i)!.take('').ok) {
          fail.throttled('rate exceeded (emulator throttling fault)', f.throttle.retryAfterSeconds ?? 1);
        }
        if (f.dropRate && Math.random() < f.dropRate) {
          const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
          incoming?.socket?.destroy();
          fail.unavailable('connection dropped (emulator fault)');
        }
        if (f.errorRate && Math.random() < f.errorRate) {
          const status = f.errorStatus ?? 500;
          if (status === 500) fail.internal('injected fault (emulator)');
          else fail.unavailable('injected fault (emulator)', status);
        }
      }
      return next();
    };
  }
}

function matches(route: string | undefined, method: string, path: string): boolean {
  if (!route) return true;
  const m = /^(GET|POST|PUT|DELETE|PATCH|HEAD) (.*)$/.exec(route);
  if (m && m[1] !== method) return false;
  return path.startsWith(m ? m[2] : route);
}

/** Faults act on real traffic, outside the seeded world, so they draw from Math.random. */
const unseeded = { next: Math.random };

function sampleLatency(l: NonNullable<FaultSpec['latency']>): number {
  if (typeof l === 'number') return l;
  if ('uniform' in l) return l.uniform[0] + Math.random() * (l.uniform[1] - l.uniform[0]);
  if ('normal' in l) return Math.max(0, l.normal.mean + standardNormal(unseeded) * l.normal.stddev);
  return -Math.log(Math.max(Math.random(), 1e-12)) * l.exponential.mean;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, Math.min(ms, 600_000))) : Promise.resolve();
}
