import type { MiddlewareHandler } from 'hono';
import { fail } from './failure.js';
import { describeAjvError, loadSpec } from './spec.js';
import { RateLimiter } from './ratelimit.js';
import { Rng, hashSeed, standardNormal } from './rng.js';

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
  /** Each record shows through the API only up to `maxSeconds` after its own time (a history behaviour, vendor-wide). */
  ingestionDelay?: { maxSeconds: number };
  /** Share of requests whose live bearer token the vendor refuses as expired (vendors with expiring tokens: Octopai). */
  tokenExpiry?: { rate: number };
  /** After every answer of the vendor that succeeds, this many new records land at the head of its log (a history behaviour). */
  arrivals?: { perAnswer: number };
  /** Draws of this fault from this seed instead of Math.random, so that a run repeats. */
  seed?: number;
}

/** `{"profile": "gauntlet", "seed": n}`: what live logs do to collectors, as faults. */
interface GauntletProfile {
  profile: 'gauntlet';
  seed?: number;
}

/**
 * The gauntlet: throttling bursts with a Retry-After of 1 to 5 s, 503s, dropped connections, slow
 * answers, an ingestion delay of up to two minutes and a record landing after every answer; every
 * draw from the seed.
 */
export function gauntlet(seed = 1): FaultSpec[] {
  return [
    { throttle: { perSecond: 10, burst: 5, retryAfterSeconds: 1 + (seed % 5) } },
    { errorRate: 0.05, errorStatus: 503, seed },
    { dropRate: 0.02, seed: seed + 1 },
    { latency: { uniform: [0, 40] }, seed: seed + 2 },
    { ingestionDelay: { maxSeconds: 120 }, seed: seed + 3 },
    { arrivals: { perAnswer: 1 } },
    { tokenExpiry: { rate: 0.05 }, seed: seed + 4 },
  ];
}

export class FaultSet {
  private faults: FaultSpec[] = [];
  /** One limiter per fault with a throttle, by the fault's index. */
  private limiters = new Map<number, RateLimiter>();
  /** One random stream per fault: seeded when the fault has a seed. */
  private draws: Array<{ next(): number }> = [];
  private delays: Array<{ maxMs: number; seed: number }> = [];

  get active(): boolean {
    return this.faults.length > 0;
  }

  list(): FaultSpec[] {
    return this.faults;
  }

  set(faults: FaultSpec[]): void {
    this.faults = faults;
    this.limiters = new Map(faults.flatMap((f, i) => (f.throttle ? [[i, RateLimiter.perSecond(f.throttle.perSecond, f.throttle.burst)]] : [])));
    this.draws = faults.map((f) => (f.seed === undefined ? unseeded : new Rng(hashSeed(f.seed, 'faults'))));
    this.delays = faults.flatMap((f) => (f.ingestionDelay ? [{ maxMs: f.ingestionDelay.maxSeconds * 1000, seed: f.seed ?? 0 }] : []));
  }

  /** Whether a vendor with expiring bearer tokens refuses this request's live token as expired (`tokenExpiry`). */
  expiresToken(): boolean {
    for (let i = 0; i < this.faults.length; i++) {
      const rate = this.faults[i].tokenExpiry?.rate;
      if (rate && this.draws[i].next() < rate) return true;
    }
    return false;
  }

  /** Records to land after a successful answer to a request on `method path`. */
  arrivalsAfter(method: string, path: string): number {
    let n = 0;
    for (const f of this.faults) if (f.arrivals && matches(f.route, method, path)) n += f.arrivals.perAnswer;
    return n;
  }

  /** Whether an ingestion delay is on (the store asks `hides` only then). */
  get delaying(): boolean {
    return this.delays.length > 0;
  }

  /** Whether the record at (ts, seq) is still in transit at `now`: its delay is a function of the seed and its position. */
  hides(ts: number, seq: number, now: number): boolean {
    for (const d of this.delays) if (ts + Math.floor((hashSeed(d.seed, 'ingestion', seq) / 4294967296) * d.maxMs) > now) return true;
    return false;
  }

  clear(): void {
    this.set([]);
  }

  /** Validate untrusted JSON into fault specs, or a message naming the bad field. */
  static parse(input: unknown): { ok: true; faults: FaultSpec[] } | { ok: false; message: string } {
    // No faults (every start without configured ones) needs no spec: start-up does not load it.
    if (Array.isArray(input) && input.length === 0) return { ok: true, faults: [] };
    // One statement of what a fault may be: the control API's spec, whose ajv validator also
    // checks PUT /_emulator/faults; only what a schema cannot say is checked here.
    const validate = loadSpec('openapi/control.yaml').schemaValidator('FaultsBody');
    if (!validate(input)) return { ok: false, message: describeAjvError(validate.errors, 'faults').replace(/^field '(\d+)/, "field 'faults[$1]") };
    const wrapped = input && typeof input === 'object' && !Array.isArray(input) && 'faults' in input ? input.faults : input;
    const items = (Array.isArray(wrapped) ? wrapped : [wrapped]) as Array<FaultSpec | GauntletProfile>;
    const faults = items.flatMap((f) => ('profile' in f ? gauntlet(f.seed) : [f]));
    const bad = faults.findIndex((f) => f.latency && typeof f.latency === 'object' && 'uniform' in f.latency && f.latency.uniform[0] > f.latency.uniform[1]);
    if (bad >= 0) return { ok: false, message: `faults[${bad}].latency.uniform must be [min, max] with min <= max` };
    return { ok: true, faults };
  }

  /** Middleware applying the faults before the vendor's own handling; failures are thrown for the vendor to render. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (this.faults.length === 0) return next();
      const path = new URL(c.req.url).pathname;
      for (let i = 0; i < this.faults.length; i++) {
        const f = this.faults[i];
        const random = this.draws[i];
        if (!matches(f.route, c.req.method, path)) continue;
        if (f.latency !== undefined) await sleep(sampleLatency(f.latency, random));
        if (f.throttle && !this.limiters.get(i)!.take('').ok) {
          fail.throttled('rate exceeded (emulator throttling fault)', f.throttle.retryAfterSeconds ?? 1);
        }
        if (f.dropRate && random.next() < f.dropRate) {
          const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
          incoming?.socket?.destroy();
          fail.unavailable('connection dropped (emulator fault)');
        }
        if (f.errorRate && random.next() < f.errorRate) {
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

function sampleLatency(l: NonNullable<FaultSpec['latency']>, random: { next(): number }): number {
  if (typeof l === 'number') return l;
  if ('uniform' in l) return l.uniform[0] + random.next() * (l.uniform[1] - l.uniform[0]);
  if ('normal' in l) return Math.max(0, l.normal.mean + standardNormal(random) * l.normal.stddev);
  return -Math.log(Math.max(random.next(), 1e-12)) * l.exponential.mean;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, Math.min(ms, 600_000))) : Promise.resolve();
}
