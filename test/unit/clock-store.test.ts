import { describe, expect, it } from 'vitest';
import { Clock, parseDuration } from '../../servers/core/clock.js';
import { EventStore } from '../../servers/core/store.js';
import { BucketCache, ByteBudget, parseBytes } from '../../servers/core/cache.js';
import { openToken, sealToken } from '../../servers/core/cursor.js';

const T0 = Date.parse('2026-03-10T10:00:00Z');
const H = 3_600_000;

describe('clock', () => {
  it('tells listeners of an applied change once, at the new time', () => {
    const c = new Clock({ now: T0 });
    const heard: number[] = [];
    c.onChange((now) => heard.push(now));
    c.apply({ now: T0 + H, frozen: true });
    expect(heard).toEqual([T0 + H]);
    c.apply({ now: T0 + 2 * H, frozen: false });
    expect(heard).toHaveLength(2);
    expect(Math.abs(heard[1] - (T0 + 2 * H))).toBeLessThan(1000);
    expect(c.frozen).toBe(false);
  });
  it('freezes, sets, advances and thaws', () => {
    const c = new Clock({ now: T0 });
    expect(c.now()).toBe(T0);
    c.advance(parseDuration('PT1H')!);
    expect(c.now()).toBe(T0 + H);
    c.set(T0);
    expect(c.frozen).toBe(true);
    c.freeze(false);
    expect(Math.abs(c.now() - T0)).toBeLessThan(1000);
    c.restore();
    expect(c.now()).toBe(T0);
  });
  it('parses durations and seconds', () => {
    expect(parseDuration('PT1H30M')).toBe(5_400_000);
    expect(parseDuration('P1DT2S')).toBe(86_402_000);
    expect(parseDuration(90)).toBe(90_000);
    expect(parseDuration('-PT5M')).toBe(-300_000);
    expect(parseDuration('P')).toBeNull();
    expect(parseDuration('1 hour')).toBeNull();
  });
});

describe('event store', () => {
  type R = { t: number; n: number };
  const make = (now: number, generate?: (from: number, to: number) => R[]) =>
    new EventStore<R>({ timeOf: (r) => r.t, render: (r) => r, retentionMs: 30 * 24 * H, now: () => now, generate, bucketMs: 24 * H });

  it('keeps events in time order across buckets and pages newest first', () => {
    const s = make(T0);
    for (let i = 0; i < 100; i++) s.insert({ t: T0 - i * H, n: i });
    const page1 = s.page({ from: T0 - 50 * H, to: T0 }, 10);
    expect(page1.entries.map((e) => e.rec.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(page1.more).toBe(true);
    const page2 = s.page({ from: T0 - 50 * H, to: T0, after: page1.entries[9] }, 10);
    expect(page2.entries[0].rec.n).toBe(10);
    const asc = s.page({ from: T0 - 50 * H, to: T0, order: 'asc' }, 3);
    expect(asc.entries.map((e) => e.rec.n)).toEqual([50, 49, 48]);
  });

  it('inserts out of order and breaks ties by insertion', () => {
    const s = make(T0);
    s.insert({ t: T0 - 10, n: 1 });
    s.insert({ t: T0 - 30, n: 2 });
    s.insert({ t: T0 - 10, n: 3 });
    expect([...s.scan({ from: 0 + T0 - H, to: T0 })].map((e) => e.rec.n)).toEqual([3, 1, 2]);
  });

  it('generates buckets lazily and identically whatever order they are touched in', () => {
    const gen = (from: number) => [
      { t: from + 1000, n: from },
      { t: from + 5000, n: from + 1 },
    ];
    const a = make(T0, gen);
    const b = make(T0, gen);
    const all = (s: EventStore<R>) => [...s.scan({ from: T0 - 5 * 24 * H, to: T0 })].map((e) => e.rec.n);
    b.page({ from: T0 - H, to: T0 }, 1); // touch the newest bucket first
    expect(all(b)).toEqual(all(a));
    expect(a.size).toBe(12);
  });

  it('never generates or returns past retention, and prunes whole buckets', () => {
    let now = T0;
    const s = new EventStore<R>({ timeOf: (r) => r.t, render: (r) => r, retentionMs: 2 * 24 * H, now: () => now, bucketMs: 24 * H });
    for (let d = 0; d < 2; d++) s.insert({ t: T0 - d * 24 * H, n: d });
    now = T0 + 5 * 24 * H;
    expect(s.prune()).toBe(2);
    expect(s.size).toBe(0);
    expect(s.clamp(0, now).from).toBe(now - 2 * 24 * H);
  });

  it('indexes injected entries by time and drops them with their buckets', () => {
    let now = T0;
    const s = new EventStore<R>({ timeOf: (r) => r.t, render: (r) => r, retentionMs: 2 * 24 * H, now: () => now, bucketMs: 24 * H });
    s.insert({ t: T0 - 30 * H, n: 1 }, true);
    s.insert({ t: T0 - 2 * H, n: 2 });
    s.insert({ t: T0 - 5 * H, n: 3 }, true);
    s.insert({ t: T0 - 1 * H, n: 4 }, true);
    expect(s.injectedBetween(T0 - 48 * H, T0).map((e) => e.rec.n)).toEqual([1, 3, 4]);
    expect(s.injectedBetween(T0 - 5 * H, T0 - 1 * H - 1).map((e) => e.rec.n)).toEqual([3]);
    // The retention edge moves into T0's day: the day before goes, entry 1 with it.
    now = T0 + 50 * H;
    expect(s.prune()).toBe(1);
    expect(s.injectedBetween(0, now).map((e) => e.rec.n)).toEqual([3, 4]);
  });

  it('caches rendered JSON in a bounded ring', () => {
    const s = new EventStore<R>({ timeOf: (r) => r.t, render: (r) => ({ x: r.n }), retentionMs: 1e12, now: () => T0, jsonCacheSize: 2 });
    const es = [1, 2, 3].map((n) => s.insert({ t: T0 - n, n }));
    es.forEach((e) => s.json(e));
    expect(es.map((e) => e.bytes && Buffer.from(e.bytes).toString())).toEqual([undefined, '{"x":2}', '{"x":3}']);
    expect(s.json(es[0])).toBe('{"x":1}');
  });

  it('bounds the JSON cache by size as well as by count', () => {
    const s = new EventStore<R>({
      timeOf: (r) => r.t,
      render: (r) => ({ x: String(r.n).repeat(10) }),
      retentionMs: 1e12,
      now: () => T0,
      jsonCacheSize: 100,
      jsonCacheBytes: 50,
    });
    const es = [1, 2, 3, 4].map((n) => s.insert({ t: T0 - n, n }));
    es.forEach((e) => s.json(e));
    // Each rendering is 17 bytes: only the two newest fit in 50.
    expect(es.map((e) => e.bytes !== undefined)).toEqual([false, false, true, true]);
  });
});

describe('renderings under one budget shared by stores', () => {
  type R = { t: number; n: number };
  const store = (rendered: ByteBudget) => new EventStore<R>({ timeOf: (r) => r.t, render: (r) => ({ x: r.n }), retentionMs: 1e12, now: () => T0, rendered });

  it("keeps what fits, serves the rest uncached, and gives a disposed store's share back", () => {
    const budget = new ByteBudget(14); // two renderings of 7 bytes
    const a = store(budget);
    const b = store(budget);
    const ea = [1, 2].map((n) => a.insert({ t: T0 - n, n }));
    ea.forEach((e) => a.json(e));
    expect(budget.used).toBe(14);
    const eb = b.insert({ t: T0 - 3, n: 3 });
    expect(b.json(eb)).toBe('{"x":3}');
    expect(eb.bytes).toBeUndefined();
    a.dispose();
    expect(budget.used).toBe(0);
    expect(ea.map((e) => e.bytes)).toEqual([undefined, undefined]);
    expect(b.json(eb)).toBe('{"x":3}');
    expect(eb.bytes && Buffer.from(eb.bytes).toString()).toBe('{"x":3}');
    expect(budget.used).toBe(7);
  });
});

describe('event store under a memory budget', () => {
  type R = { t: number; n: number };
  // Three records a day, two of them at the same millisecond.
  const gen = (from: number) => [
    { t: from + 1000, n: from },
    { t: from + 1000, n: from + 1 },
    { t: from + 9000, n: from + 2 },
  ];
  const make = (cache: BucketCache) =>
    new EventStore<R>({ timeOf: (r) => r.t, render: (r) => r, retentionMs: 30 * 24 * H, now: () => T0, generate: gen, bucketMs: 24 * H, cache });
  const walk = (s: EventStore<R>) => [...s.scan({ from: T0 - 20 * 24 * H, to: T0 })].map((e) => [e.ts, e.seq, e.rec.n]);

  it('numbers generated entries by bucket and place, whatever order buckets are made in or how often', () => {
    const cache = new BucketCache(1);
    const a = make(cache);
    const b = make(new BucketCache());
    a.page({ from: T0 - H, to: T0 }, 1);
    a.page({ from: T0 - 10 * 24 * H, to: T0 - 9 * 24 * H }, 1);
    expect(walk(a)).toEqual(walk(b));
    expect(walk(a)).toEqual(walk(b));
    expect(cache.evictions).toBeGreaterThan(20);
    // A budget of one byte keeps only the bucket in use.
    expect(a.size).toBeLessThanOrEqual(3);
  });

  it('keeps inserted entries through evictions, after generated ones at the same time', () => {
    const cache = new BucketCache(1);
    const s = make(cache);
    const day = Math.floor((T0 - 3 * 24 * H) / (24 * H)) * 24 * H;
    s.insert({ t: day + 1000, n: -1 }, true);
    s.insert({ t: day + 1000, n: -2 });
    const once = walk(s);
    // Newest first: the inserted ones in reverse order of arrival, then the generated ones.
    expect(once.filter(([ts]) => ts === day + 1000).map(([, , n]) => n)).toEqual([-2, -1, day + 1, day]);
    walk(s);
    expect(walk(s)).toEqual(once);
    expect([...s.insertedEntries()].map((e) => e.rec.n)).toEqual([-1, -2]);
    expect(s.injectedBetween(0, T0).map((e) => e.rec.n)).toEqual([-1]);
  });

  it('remembers a fold until its bucket changes', () => {
    const s = make(new BucketCache(1));
    const idx = Math.floor((T0 - 2 * 24 * H) / (24 * H));
    const count = () =>
      s.fold(
        idx,
        'all',
        () => true,
        () => ({ n: 0 }),
        (acc) => void acc.n++,
      )!.n;
    expect(count()).toBe(3);
    walk(s);
    expect(count()).toBe(3);
    s.insert({ t: idx * 24 * H + 5, n: 7 });
    expect(count()).toBe(4);
  });

  it('reads memory budgets', () => {
    expect(parseBytes('256MB')).toBe(256_000_000);
    expect(parseBytes('1.5GB')).toBe(1_500_000_000);
    expect(parseBytes('512MiB')).toBe(512 * 1024 * 1024);
    expect(parseBytes('1000')).toBe(1000);
    expect(parseBytes('unlimited')).toBe(Infinity);
    expect(parseBytes('lots')).toBeUndefined();
    expect(parseBytes('12 parsecs')).toBeUndefined();
  });
});

describe('page tokens', () => {
  it('round-trip and reject tampering', () => {
    const secret = Buffer.from('s'.repeat(32));
    const tok = sealToken(secret, { a: 1 });
    expect(openToken(secret, tok)).toEqual({ a: 1 });
    expect(openToken(secret, tok.slice(0, -2) + (tok.endsWith('A') ? 'BB' : 'AA'))).toBeNull();
    expect(openToken(Buffer.from('x'.repeat(32)), tok)).toBeNull();
    expect(openToken(secret, 'not a token')).toBeNull();
  });

  it("in the dotted style are '<payload>.<mac>' and reject an edited payload", () => {
    const secret = Buffer.from('s'.repeat(32));
    const tok = sealToken(secret, { v: 1, ts: 5 }, 'dotted');
    expect(tok).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const [payload, mac] = tok.split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({ v: 1, ts: 5 });
    expect(openToken(secret, tok, 'dotted')).toEqual({ v: 1, ts: 5 });
    const edited = `${Buffer.from(JSON.stringify({ v: 1, ts: 6 })).toString('base64url')}.${mac}`;
    expect(openToken(secret, edited, 'dotted')).toBeNull();
    expect(openToken(secret, tok)).toBeNull();
    expect(openToken(secret, sealToken(secret, { v: 1 }), 'dotted')).toBeNull();
    expect(openToken(secret, `${payload}.`, 'dotted')).toBeNull();
  });
});
