/**
 * Per-vendor event store.
 *
 * Events live in time buckets (a day by default), each sorted by (ts, seq). A bucket of generated
 * history is produced on first touch from (seed, vendor, bucket index) alone, so history is the same
 * whatever order buckets are touched in, start-up only pays for what is read, and inserting an
 * event costs a binary search plus a splice inside one bucket. A window query binary-searches its
 * first bucket and walks outward: O(log n + page) before filtering.
 *
 * Generated buckets are a cache (see BucketCache): one may be dropped and made again, identically,
 * sequence numbers included: a generated entry's `seq` is a function of its bucket and its place
 * in it, so keyset positions held by clients stay valid. Inserted (recorded or injected) entries
 * are kept apart from the cache and merged into their bucket whenever it is made.
 */
import { BucketCache, ByteBudget } from './cache.js';
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
  /** The memory budget generated buckets share (with other stores); without one they all stay. */
  cache?: BucketCache;
  /** Rendered JSON kept by every store together (default: this store's own). */
  rendered?: ByteBudget;
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
  /** Generated and inserted entries merged in (ts, seq) order; null while not generated (or evicted). */
  entries: Entry<R>[] | null;
  /** The inserted entries alone, in order: they outlive evictions. */
  inserted: Entry<R>[];
  /** Estimated bytes of the generated entries (what the cache is charged). */
  bytes: number;
  /** Changes whenever the bucket's content may have (inserts): remembered folds check it. */
  version: number;
}

const DAY = 86_400_000;
/** Bytes per slab of cached renderings. */
const SLAB = 256 * 1024;
/** Slots of the rendering ring at first; it doubles up to `jsonCacheSize` as the store serves more. */
const RING_START = 64;
/**
 * Generated entry n (from 0) of bucket b has seq b * SLOT + n + 1; inserted entries count up from
 * INSERTED, above every generated one, so at equal times they follow the generated history in the
 * order they came. Both stay below 2^51, where `seq ± 0.5` (a position between two) is exact.
 */
const SLOT = 2 ** 24;
const INSERTED = 2 ** 50;
/** Entries beyond this many per bucket would collide with the next bucket's numbers. */
const MAX_PER_BUCKET = SLOT - 1;
/** Remembered folds, and derived values, per store (a few small numbers per bucket and query shape or key). */
const MAX_MEMOS = 4096;

interface Memo {
  /** The bucket's version when the value was made (-1: no bucket was held). */
  version: number;
  value: unknown;
}

export function comparePos(a: Position, b: Position): number {
  return a.ts - b.ts || a.seq - b.seq;
}

export class EventStore<R> {
  readonly bucketMs: number;
  readonly retentionMs: number;
  private buckets = new Map<number, Bucket<R>>();
  /** Indices of buckets touched so far, ascending. */
  private order: number[] = [];
  private seq = INSERTED;
  private count = 0;
  /** Bumped by every insert, so callers can tell whether a request added events. */
  version = 0;
  /** Bucket versions come from here, so a bucket made again after a prune never matches an old fold. */
  private stamp = 0;
  private readonly cache: BucketCache;
  private folds = new Map<string, Memo>();
  private derived = new Map<string, Memo>();
  /** Entries holding rendered JSON, oldest first, as a circular queue bounded by count and size. */
  private ring: Array<Entry<R> | undefined>;
  private readonly ringMax: number;
  private readonly rendered: ByteBudget;
  private ringHead = 0;
  private ringLen = 0;
  private ringBytes = 0;
  private readonly ringMaxBytes: number;
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
    this.ringMax = opts.jsonCacheSize ?? 20_000;
    this.ring = new Array<Entry<R> | undefined>(Math.min(RING_START, this.ringMax));
    this.ringMaxBytes = opts.jsonCacheBytes ?? 4_000_000;
    this.rendered = opts.rendered ?? new ByteBudget(this.ringMaxBytes);
    this.cache = opts.cache ?? new BucketCache();
  }

  /** Entries held in memory: generated ones of the buckets in the cache, and every inserted one. */
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

  /** Add one event (recorded or injected); `seq` when restoring one saved with its number. */
  insert(rec: R, injected = false, seq?: number): Entry<R> {
    const ts = this.opts.timeOf(rec);
    if (!Number.isFinite(ts)) throw new RangeError('event time is not a valid instant');
    if (seq !== undefined && seq > this.seq) this.seq = seq;
    const bucket = this.bucket(Math.floor(ts / this.bucketMs));
    const entry: Entry<R> = { ts, seq: seq ?? ++this.seq, rec, inserted: true };
    insertSorted(bucket.inserted, entry);
    if (bucket.entries) insertSorted(bucket.entries, entry);
    bucket.version = ++this.stamp;
    if (injected) {
      entry.injected = true;
      insertSorted(this.injectedIndex, entry);
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
    const [lo, hi, edge] = this.range(from, to);
    let first = lo;
    let last = hi;
    // Buckets on the far side of the keyset position hold nothing the walk returns: not made at all.
    const at = q.after && Math.floor(q.after.ts / this.bucketMs);
    if (at !== undefined && Number.isFinite(at)) {
      if ((q.order ?? 'desc') === 'desc') last = Math.min(last, at);
      else first = Math.max(first, at);
    }
    // Most scans meet no delay: the walk tests entries for it only while one is on.
    const transit = this.inTransit;
    const q2 = transit && !q.all && transit.active() ? { ...q, hide: (e: Entry<R>) => transit.hides(e) } : q;
    // Buckets are made only when the walk gets there: a page of a long window makes a day or two.
    return new Walk(q2, first, last + 1, (k) => this.listAt(k, edge));
  }

  /** Bucket indices a window covers, from the earliest still held or retained, and the retention edge's. */
  private range(from: number, to: number): [number, number, number] {
    const edge = Math.floor(this.retentionEdge() / this.bucketMs);
    const held = this.order.length ? Math.min(this.order[0], edge) : edge;
    return [Math.max(Math.floor(from / this.bucketMs), held), Math.floor(to / this.bucketMs), edge];
  }

  /**
   * A fold over the entries of the whole bucket `index` that pass `filter`, remembered under `key`
   * (which must name the filter) until the bucket changes, so that totals over a long window do not
   * make every bucket again. Undefined while an ingestion delay hides entries (walk instead).
   */
  fold<T>(index: number, key: string, filter: (rec: R) => boolean, init: () => T, add: (acc: T, e: Entry<R>) => void): T | undefined {
    return this.memo(this.folds, index, key, () => {
      const acc = init();
      for (const e of this.listAt(index, Math.floor(this.retentionEdge() / this.bucketMs)) ?? []) if (filter(e.rec)) add(acc, e);
      return acc;
    });
  }

  /**
   * What the caller derives from the whole bucket `index`, remembered under `key` until the bucket
   * changes. `derive` gets the bucket's inserted entries; the generated part, a function of the
   * bucket alone, it may make more cheaply than the store would (the bucket is not made or cached
   * for it). Kept apart from folds, so that many query shapes do not push these out. Undefined
   * while an ingestion delay hides entries (walk instead).
   */
  remember<T>(index: number, key: string, derive: (inserted: readonly Entry<R>[]) => T): T | undefined {
    return this.memo(this.derived, index, key, () => derive(this.buckets.get(index)?.inserted ?? []));
  }

  private memo<T>(memos: Map<string, Memo>, index: number, key: string, compute: () => T): T | undefined {
    if (this.inTransit?.active()) return undefined;
    const id = `${index}|${key}`;
    const memo = memos.get(id);
    const versionOf = () => this.buckets.get(index)?.version ?? -1;
    if (memo && memo.version === versionOf()) return memo.value as T;
    const value = compute();
    if (memos.size >= MAX_MEMOS) memos.clear();
    memos.set(id, { version: versionOf(), value });
    return value;
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
    if (this.ringLen === this.ring.length && this.ring.length < this.ringMax) this.growRing();
    const over = () => this.ringBytes + n > this.ringMaxBytes || this.rendered.used + n > this.rendered.max;
    while (this.ringLen > 0 && (this.ringLen === this.ring.length || over())) this.dropOldestRendering();
    // Other stores hold the shared budget: this rendering is served without being kept.
    if (over()) return Buffer.from(s);
    const b = this.carve(n);
    b.write(s, 0);
    this.ring[(this.ringHead + this.ringLen) % this.ring.length] = e;
    this.ringLen++;
    this.ringBytes += n;
    this.rendered.used += n;
    e.bytes = b;
    return b;
  }

  private dropOldestRendering(): void {
    const old = this.ring[this.ringHead]!;
    const n = old.bytes?.length ?? 0;
    this.ringBytes -= n;
    this.rendered.used -= n;
    old.bytes = undefined;
    this.ring[this.ringHead] = undefined;
    this.ringHead = (this.ringHead + 1) % this.ring.length;
    this.ringLen--;
  }

  /** Twice the room, oldest first again: a store that serves little never holds a large ring. */
  private growRing(): void {
    const next = new Array<Entry<R> | undefined>(Math.min(this.ringMax, this.ring.length * 2));
    for (let i = 0; i < this.ringLen; i++) next[i] = this.ring[(this.ringHead + i) % this.ring.length];
    this.ring = next;
    this.ringHead = 0;
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
      // Slabs grow from small to SLAB as the store renders more.
      this.slab = Buffer.allocUnsafeSlow(Math.min(SLAB, Math.max(SLAB / 16, this.slab.length * 2)));
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
      const b = this.buckets.get(this.order.shift()!)!;
      dropped += (b.entries ?? b.inserted).length;
      this.cache.forget(b);
      this.buckets.delete(b.index);
    }
    this.count -= dropped;
    const edge = edgeBucket * this.bucketMs;
    if (this.injectedIndex.length && this.injectedIndex[0].ts < edge)
      this.injectedIndex = this.injectedIndex.slice(lowerBound(this.injectedIndex, { ts: edge, seq: -Infinity }));
    return dropped;
  }

  /** Give this store's generated buckets and renderings back to the budgets (the store is being replaced or its world deleted). */
  dispose(): void {
    for (const b of this.buckets.values()) this.cache.forget(b);
    while (this.ringLen > 0) this.dropOldestRendering();
  }

  /** Injected entries with from <= ts <= to, oldest first. */
  injectedBetween(from: number, to: number): Entry<R>[] {
    const idx = this.injectedIndex;
    return idx.slice(lowerBound(idx, { ts: from, seq: -Infinity }), upperBound(idx, { ts: to, seq: Infinity }));
  }

  /** Events that were recorded or injected rather than generated, oldest first (persistence). */
  *insertedEntries(): Generator<Entry<R>> {
    for (const idx of this.order) yield* this.buckets.get(idx)!.inserted;
  }

  /** The entry numbered `seq` within retention: a generated one's bucket is made again if it was evicted. */
  withSeq(seq: number): Entry<R> | undefined {
    const index = Math.floor((seq - 1) / SLOT);
    const generated = seq < INSERTED && seq > 0 && this.opts.generate !== undefined && index >= Math.floor(this.retentionEdge() / this.bucketMs);
    if (generated && index * SLOT + 1 <= seq) {
      const found = this.listAt(index, -Infinity)?.find((e) => e.seq === seq);
      if (found) return found;
    }
    for (const idx of this.order) {
      const found = this.buckets.get(idx)!.inserted.find((e) => e.seq === seq);
      if (found) return found;
    }
    return undefined;
  }

  /** Make room for restored sequence numbers before anything else is inserted. */
  reserveSeq(upTo: number): void {
    if (upTo > this.seq) this.seq = upTo;
  }

  /** Every entry held in memory: generated buckets in the cache, inserted entries everywhere (diagnostics). */
  *all(): Generator<Entry<R>> {
    for (const idx of this.order) {
      const b = this.buckets.get(idx)!;
      yield* b.entries ?? b.inserted;
    }
  }

  /** The held bucket's entries, made (again) if they are not in memory; none before retention unless held. */
  private listAt(index: number, edge: number): Entry<R>[] | undefined {
    const b = this.buckets.get(index);
    if (!b && index < edge) return undefined;
    return this.materialize(b ?? this.bucket(index));
  }

  private bucket(index: number): Bucket<R> {
    let b = this.buckets.get(index);
    if (b) return b;
    b = { index, entries: null, inserted: [], bytes: 0, version: ++this.stamp };
    this.buckets.set(index, b);
    this.order.splice(upperBoundNum(this.order, index), 0, index);
    return b;
  }

  /** The bucket's merged entries, generating its history when it is not in memory. */
  private materialize(b: Bucket<R>): Entry<R>[] {
    if (b.entries) {
      if (b.bytes > 0) this.cache.touch(b, b.bytes, () => this.evict(b));
      return b.entries;
    }
    const generated = this.generated(b.index);
    b.entries = b.inserted.length ? merge(generated, b.inserted) : generated;
    b.bytes = estimateBytes(generated, (rec) => this.opts.render(rec));
    this.count += generated.length;
    if (b.bytes > 0) this.cache.touch(b, b.bytes, () => this.evict(b));
    return b.entries;
  }

  private evict(b: Bucket<R>): void {
    if (!b.entries) return;
    this.count -= b.entries.length - b.inserted.length;
    b.entries = null;
  }

  /** The history of bucket `index`, in time order, numbered by place. */
  private generated(index: number): Entry<R>[] {
    if (!this.opts.generate) return [];
    const from = index * this.bucketMs;
    const to = from + this.bucketMs;
    const withTs = this.opts.generate(from, to, index).map((rec) => ({ rec, ts: this.opts.timeOf(rec) }));
    withTs.sort((x, y) => x.ts - y.ts);
    const out: Entry<R>[] = [];
    for (const { rec, ts } of withTs) {
      if (ts < from || ts >= to || !Number.isFinite(ts)) continue;
      if (out.length === MAX_PER_BUCKET) throw new RangeError(`more than ${MAX_PER_BUCKET} generated events in one bucket`);
      out.push({ ts, seq: index * SLOT + out.length + 1, rec });
    }
    return out;
  }
}

/** Two lists in (ts, seq) order as one. */
function merge<R>(a: Entry<R>[], b: Entry<R>[]): Entry<R>[] {
  const out = new Array<Entry<R>>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = comparePos(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

function insertSorted<R>(list: Entry<R>[], e: Entry<R>): void {
  if (list.length === 0 || comparePos(list[list.length - 1], e) <= 0) list.push(e);
  else list.splice(upperBound(list, e), 0, e);
}

/**
 * What a generated bucket holds in memory, about: measured on the vendors' records, an entry and
 * its parsed record take some 1.2 times its rendered size (from a sample) plus 250 bytes.
 */
function estimateBytes<R>(list: Entry<R>[], render: (rec: R) => unknown): number {
  if (list.length === 0) return 0;
  const step = Math.max(1, Math.floor(list.length / 8));
  let json = 0;
  let n = 0;
  for (let i = 0; i < list.length; i += step, n++) json += JSON.stringify(render(list[i].rec)).length;
  return Math.round(list.length * ((1.2 * json) / n + 250));
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
    private readonly bucketAt: (k: number) => Entry<R>[] | undefined,
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
        if (!list) continue;
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
