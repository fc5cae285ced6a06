/**
 * Per-vendor event store.
 *
 * Events live in time buckets (a day by default), each sorted by (ts, seq). A bucket of generated
 * history is produced on first touch from (seed, vendor, bucket index) alone, so history is the same
 * whatever order buckets are touched in, start-up only pays for what is read, and inserting an
 * event costs a binary search plus a splice inside one bucket. A window query binary-searches its
 * first bucket and walks outward: O(log n + page) before filtering.
 */
import { joinJson } from './render.js';

export interface Entry<R> {
  readonly ts: number;
  readonly seq: number;
  readonly rec: R;
  /** Rendered JSON as UTF-8, cached for recently served entries only (bounded memory). */
  bytes?: Uint8Array;
  /** Set on events that were injected (scenarios, control API) rather than generated or recorded. */
  injected?: boolean;
  /** Set on every event not generated from the seed (recorded or injected): what persistence keeps. */
  inserted?: boolean;
}

export interface Position {
  ts: number;
  seq: number;
}

export interface StoreOptions<R> {
  timeOf(rec: R): number;
  render(rec: R): unknown;
  /** History for [from, to); must depend only on its arguments. */
  generate?(from: number, to: number, bucket: number): R[];
  bucketMs?: number;
  retentionMs: number;
  now(): number;
  /** At most this many rendered events are kept... */
  jsonCacheSize?: number;
  /** ...and at most this many bytes of them (default 4 MB per vendor). */
  jsonCacheBytes?: number;
}

export interface ScanOptions<R> {
  from: number;
  to: number;
  /** 'desc' = newest first (default). */
  order?: 'desc' | 'asc';
  /** Exclusive start position (keyset paging). */
  after?: Position;
  filter?: (rec: R) => boolean;
  /** Include entries still in transit (an ingestion delay): a feed's truth, trail delivery. */
  all?: boolean;
}

interface Bucket<R> {
  index: number;
  entries: Entry<R>[];
}

const DAY = 86_400_000;
/** Bytes per slab of cached renderings. */
const SLAB = 256 * 1024;

export function comparePos(a: Position, b: Position): number {
  return a.ts - b.ts || a.seq - b.seq;
}

export class EventStore<R> {
  readonly bucketMs: number;
  readonly retentionMs: number;
  private buckets = new Map<number, Bucket<R>>();
  /** Bucket indices in ascending order. */
  private order: number[] = [];
  private seq = 0;
  private count = 0;
  /** Bumped by every insert, so callers can tell whether a request added events. */
  version = 0;
  /** Entries holding rendered JSON, oldest first, as a circular queue bounded by count and size. */
  private cache: Array<Entry<R> | undefined>;
  private cacheHead = 0;
  private cacheLen = 0;
  private cacheBytes = 0;
  private readonly cacheMaxBytes: number;
  /** Cached renderings are carved from slabs in the order they are made, and leave the cache in
   *  that order too, so a slab is garbage soon after its last entry is evicted. */
  private slab: Buffer = Buffer.alloc(0);
  private slabUsed = 0;
  private listeners = new Set<(e: Entry<R>) => void>();
  /** Injected entries in (ts, seq) order, so the dashboard's "injected only" view need not walk history. */
  private injectedIndex: Entry<R>[] = [];

  constructor(private readonly opts: StoreOptions<R>) {
    this.bucketMs = opts.bucketMs ?? DAY;
    this.retentionMs = opts.retentionMs;
    this.cache = new Array(opts.jsonCacheSize ?? 20_000);
    this.cacheMaxBytes = opts.jsonCacheBytes ?? 4_000_000;
  }

  get size(): number {
    return this.count;
  }

  now(): number {
    return this.opts.now();
  }

  /** Earliest instant still retained. */
  retentionEdge(now = this.now()): number {
    return now - this.retentionMs;
  }

  /** Clamp a requested window to retention and to what has happened by `visibleUntil`. */
  clamp(from: number, to: number, visibleUntil = this.now()): { from: number; to: number } {
    return { from: Math.max(from, this.retentionEdge()), to: Math.min(to, visibleUntil) };
  }

  onInsert(fn: (e: Entry<R>) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Entries the API may not show yet (an ingestion delay); scans skip them unless asked for `all`. */
  inTransit: { active(): boolean; hides(e: Entry<R>): boolean } | undefined;

  /** Add one event (recorded or injected). Its bucket's history is generated first. */
  insert(rec: R, injected = false, seq?: number): Entry<R> {
    const ts = this.opts.timeOf(rec);
    if (!Number.isFinite(ts)) throw new RangeError('event time is not a valid instant');
    if (seq !== undefined && seq > this.seq) this.seq = seq;
    const bucket = this.bucket(Math.floor(ts / this.bucketMs));
    const entry: Entry<R> = { ts, seq: seq ?? ++this.seq, rec, inserted: true };
    const list = bucket.entries;
    if (list.length === 0 || list[list.length - 1].ts <= ts) list.push(entry);
    else list.splice(upperBound(list, { ts, seq: entry.seq }), 0, entry);
    if (injected) {
      entry.injected = true;
      this.injectedIndex.splice(upperBound(this.injectedIndex, entry), 0, entry);
    }
    this.count++;
    this.version++;
    for (const fn of this.listeners) fn(entry);
    return entry;
  }

  /** Entries in the window, in order, honouring the keyset position and filter. */
  scan(q: ScanOptions<R>): IterableIterator<Entry<R>> {
    const { from, to } = q;
    if (!(from <= to)) return [][Symbol.iterator]();
    const first = Math.floor(from / this.bucketMs);
    const last = Math.floor(to / this.bucketMs);
    this.ensure(first, last);
    // Bucket indices intersecting the window; each bucket is looked up only if the walk gets there.
    const lo = lowerBoundNum(this.order, first);
    const hi = upperBoundNum(this.order, last);
    // Most scans meet no delay: the walk tests entries for it only while one is on.
    const transit = this.inTransit;
    const q2 = transit && !q.all && transit.active() ? { ...q, hide: (e: Entry<R>) => transit.hides(e) } : q;
    return new Walk(q2, lo, hi, (k) => this.buckets.get(this.order[k])!.entries);
  }

  /** Up to `limit` entries plus whether more remain after them. */
  page(q: ScanOptions<R>, limit: number): { entries: Entry<R>[]; more: boolean } {
    const entries: Entry<R>[] = [];
    for (const e of this.scan(q)) {
      if (entries.length === limit) return { entries, more: true };
      entries.push(e);
    }
    return { entries, more: false };
  }

  /** The event's vendor JSON as UTF-8, rendered once and kept while it stays among the recently served. */
  bytes(e: Entry<R>): Uint8Array {
    if (e.bytes !== undefined) return e.bytes;
    const s = JSON.stringify(this.opts.render(e.rec));
    const n = Buffer.byteLength(s);
    const cap = this.cache.length;
    while (this.cacheLen > 0 && (this.cacheLen === cap || this.cacheBytes + n > this.cacheMaxBytes)) {
      const old = this.cache[this.cacheHead]!;
      this.cacheBytes -= old.bytes?.length ?? 0;
      old.bytes = undefined;
      this.cache[this.cacheHead] = undefined;
      this.cacheHead = (this.cacheHead + 1) % cap;
      this.cacheLen--;
    }
    const b = this.carve(n);
    b.write(s, 0);
    this.cache[(this.cacheHead + this.cacheLen) % cap] = e;
    this.cacheLen++;
    this.cacheBytes += n;
    e.bytes = b;
    return b;
  }

  /**
   * The records of a walk as the vendor's JSON (parsed), through the same rendering as responses
   * but without filling the cache of recently served ones: a feed's truth may span days.
   */
  wire(q: ScanOptions<R>): unknown[] {
    const out: unknown[] = [];
    for (const e of this.scan({ ...q, all: true }))
      out.push(e.bytes !== undefined ? JSON.parse(this.json(e)) : JSON.parse(JSON.stringify(this.opts.render(e.rec))));
    return out;
  }

  /** The event's vendor JSON as a string. */
  json(e: Entry<R>): string {
    const b = this.bytes(e);
    return Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
  }

  /** A response body: head, the entries' JSON joined by commas, tail (see joinJson). */
  jsonList(env: unknown, head: string, entries: readonly Entry<R>[], tail: string): Uint8Array<ArrayBuffer> {
    const items = new Array<Uint8Array>(entries.length);
    for (let i = 0; i < entries.length; i++) items[i] = this.bytes(entries[i]);
    return joinJson(env, head, items, tail);
  }

  private carve(n: number): Buffer {
    if (n > SLAB / 8) return Buffer.allocUnsafeSlow(n);
    if (this.slabUsed + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB);
      this.slabUsed = 0;
    }
    const b = this.slab.subarray(this.slabUsed, this.slabUsed + n);
    this.slabUsed += n;
    return b;
  }

  /** Drop whole buckets that lie before the retention edge. */
  prune(now = this.now()): number {
    const edgeBucket = Math.floor(this.retentionEdge(now) / this.bucketMs);
    let dropped = 0;
    while (this.order.length && this.order[0] < edgeBucket) {
      const idx = this.order.shift()!;
      dropped += this.buckets.get(idx)!.entries.length;
      this.buckets.delete(idx);
    }
    this.count -= dropped;
    const edge = edgeBucket * this.bucketMs;
    if (this.injectedIndex.length && this.injectedIndex[0].ts < edge)
      this.injectedIndex = this.injectedIndex.slice(lowerBound(this.injectedIndex, { ts: edge, seq: -Infinity }));
    return dropped;
  }

  /** Injected entries with from <= ts <= to, oldest first. */
  injectedBetween(from: number, to: number): Entry<R>[] {
    const idx = this.injectedIndex;
    return idx.slice(lowerBound(idx, { ts: from, seq: -Infinity }), upperBound(idx, { ts: to, seq: Infinity }));
  }

  /** Events that were recorded or injected rather than generated, oldest first (persistence). */
  *insertedEntries(): Generator<Entry<R>> {
    for (const idx of this.order) for (const e of this.buckets.get(idx)!.entries) if (e.inserted) yield e;
  }

  /** Make room for restored sequence numbers before anything else is generated. */
  reserveSeq(upTo: number): void {
    if (upTo > this.seq) this.seq = upTo;
  }

  /** Every entry of every bucket touched so far (persistence, diagnostics). */
  *all(): Generator<Entry<R>> {
    for (const idx of this.order) yield* this.buckets.get(idx)!.entries;
  }

  /** Generate any missing buckets in [first, last], never further back than retention. */
  ensure(first: number, last: number): void {
    const edge = Math.floor(this.retentionEdge() / this.bucketMs);
    for (let b = Math.max(first, edge); b <= last; b++) this.bucket(b);
  }

  private bucket(index: number): Bucket<R> {
    let b = this.buckets.get(index);
    if (b) return b;
    b = { index, entries: [] };
    this.buckets.set(index, b);
    this.order.splice(upperBoundNum(this.order, index), 0, index);
    if (this.opts.generate) {
      const from = index * this.bucketMs;
      const recs = this.opts.generate(from, from + this.bucketMs, index);
      const withTs = recs.map((rec) => ({ rec, ts: this.opts.timeOf(rec) }));
      withTs.sort((x, y) => x.ts - y.ts);
      for (const { rec, ts } of withTs) {
        if (ts < from || ts >= from + this.bucketMs || !Number.isFinite(ts)) continue;
        b.entries.push({ ts, seq: ++this.seq, rec });
      }
      this.count += b.entries.length;
    }
    return b;
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * The walk behind scan(): buckets in order, each entered by binary search, entries tested by the
 * filter. A plain iterator rather than a generator: resuming a generator costs several times more
 * per entry, and a page of a query walks fifty or more.
 */
class Walk<R> implements IterableIterator<Entry<R>> {
  private readonly hide: ((e: Entry<R>) => boolean) | undefined;
  private readonly desc: boolean;
  private k: number;
  private list: Entry<R>[] | null = null;
  private i = 0;
  private done = false;

  constructor(
    private readonly q: ScanOptions<R> & { hide?: (e: Entry<R>) => boolean },
    private readonly lo: number,
    private readonly hi: number,
    private readonly bucketAt: (k: number) => Entry<R>[],
  ) {
    this.desc = (q.order ?? 'desc') === 'desc';
    this.hide = q.hide;
    this.k = this.desc ? hi - 1 : lo;
  }

  [Symbol.iterator](): IterableIterator<Entry<R>> {
    return this;
  }

  next(): IteratorResult<Entry<R>> {
    const { from, to, after, filter } = this.q;
    while (!this.done) {
      if (!this.list) {
        if (this.desc ? this.k < this.lo : this.k >= this.hi) break;
        const list = this.bucketAt(this.k);
        this.k += this.desc ? -1 : 1;
        if (this.desc) {
          this.i = upperBound(list, { ts: to, seq: Infinity }) - 1;
          if (after && comparePos(after, { ts: to, seq: Infinity }) <= 0) this.i = Math.min(this.i, lowerBound(list, after) - 1);
        } else {
          this.i = lowerBound(list, { ts: from, seq: -Infinity });
          if (after) this.i = Math.max(this.i, upperBound(list, after));
        }
        this.list = list;
      }
      const list = this.list;
      if (this.desc) {
        while (this.i >= 0) {
          const e = list[this.i--];
          if (e.ts < from) return this.finish();
          if ((!filter || filter(e.rec)) && !this.hide?.(e)) return { value: e, done: false };
        }
      } else {
        while (this.i < list.length) {
          const e = list[this.i++];
          if (e.ts > to) return this.finish();
          if ((!filter || filter(e.rec)) && !this.hide?.(e)) return { value: e, done: false };
        }
      }
      this.list = null;
    }
    return this.finish();
  }

  private finish(): IteratorReturnResult<undefined> {
    this.done = true;
    this.list = null;
    return DONE;
  }
}

/** First index whose entry is >= pos. */
function lowerBound<R>(list: Entry<R>[], pos: Position): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePos(list[mid], pos) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose entry is > pos. */
function upperBound<R>(list: Entry<R>[], pos: Position): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePos(list[mid], pos) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBoundNum(list: number[], v: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBoundNum(list: number[], v: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
