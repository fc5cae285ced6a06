import type { World } from '../core/world.js';
import type { EventSummary, ProviderRuntime } from '../core/provider.js';
import { comparePos, type Entry, type EventStore, type Position } from '../core/store.js';

export class TimelineError extends Error {}

export interface TimelineQuery {
  /** Selected runtimes in registry order (the order ties are broken in). */
  runtimes: ProviderRuntime[];
  /** Rank of every vendor id in registry order, for cursor positions. */
  rank: Map<string, number>;
  from: number;
  to: number;
  limit: number;
  cursor?: { ts: number; vendor: string; seq: number };
  injectedOnly: boolean;
  match: (s: EventSummary) => boolean;
  /** True when the summary filter accepts everything (skip summarizing). */
  matchAll: boolean;
}

export interface TimelineEvent extends EventSummary {
  vendor: string;
  id: string;
  time: string;
  injected: boolean;
}

const HOUR = 3_600_000;
const MAX_LIMIT = 500;
/** Hours a histogram may span (a little over the longest retention, 90 days). */
const MAX_HOURS = 24 * 100;

function parseInstantParam(name: string, v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw new TimelineError(`query '${name}' must be an ISO-8601 instant`);
  return ms;
}

export function encodeCursor(c: { ts: number; vendor: string; seq: number }): string {
  return Buffer.from(JSON.stringify([c.ts, c.vendor, c.seq])).toString('base64url');
}

function decodeCursor(s: string): { ts: number; vendor: string; seq: number } {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && Number.isFinite(v[0]) && typeof v[1] === 'string' && Number.isInteger(v[2])) {
      return { ts: v[0], vendor: v[1], seq: v[2] };
    }
  } catch {
    // fall through
  }
  throw new TimelineError("query 'cursor' is not a cursor this API issued");
}

/**
 * Actor filter: a company person (by email, username, name or id) matches every identifier that
 * person has, since vendors name the actor differently; anything else is a case-insensitive substring.
 */
function actorMatcher(emu: World, actor: string): (a: string) => boolean {
  const needle = actor.trim().toLowerCase();
  const person = emu.company.people.find((p) => [p.email, p.username, p.name, p.id].some((k) => k.toLowerCase() === needle));
  if (!person) return (a) => a.toLowerCase().includes(needle);
  const exact = new Set([person.email, person.username, person.name, person.id].map((k) => k.toLowerCase()));
  const email = person.email.toLowerCase();
  // Vendors that qualify a user by tenant (`user@customer`) keep the person's user name before the '@'.
  const local = new Set([person.username.toLowerCase(), email.split('@')[0]]);
  return (a) => {
    const l = a.toLowerCase();
    return exact.has(l) || l.includes(email) || (l.includes('@') && local.has(l.slice(0, l.indexOf('@'))));
  };
}

export function parseTimelineQuery(params: URLSearchParams, emu: World, all: ProviderRuntime[], opts: { defaultSpanMs?: number } = {}): TimelineQuery {
  const rank = new Map(all.map((rt, i) => [rt.provider.id, i]));
  let runtimes = all;
  const vendor = params.get('vendor');
  if (vendor) {
    const ids = vendor
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = ids.find((id) => !rank.has(id));
    if (unknown) throw new TimelineError(`query 'vendor': unknown vendor '${unknown}' (known: ${[...rank.keys()].join(', ')})`);
    runtimes = all.filter((rt) => ids.includes(rt.provider.id));
  }
  const now = emu.clock.now();
  const to = parseInstantParam('to', params.get('to')) ?? now;
  const from = parseInstantParam('from', params.get('from')) ?? (opts.defaultSpanMs ? to - opts.defaultSpanMs : -Infinity);
  if (from > to) throw new TimelineError("query 'from' must not be after 'to'");
  const limitRaw = params.get('limit');
  let limit = 50;
  if (limitRaw !== null && limitRaw !== '') {
    if (!/^\d{1,4}$/.test(limitRaw) || Number(limitRaw) < 1 || Number(limitRaw) > MAX_LIMIT) {
      throw new TimelineError(`query 'limit' must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    limit = Number(limitRaw);
  }
  const outcome = params.get('outcome') || undefined;
  if (outcome !== undefined && outcome !== 'success' && outcome !== 'failure') {
    throw new TimelineError("query 'outcome' must be 'success' or 'failure'");
  }
  const injected = params.get('injected') || undefined;
  if (injected !== undefined && injected !== 'true' && injected !== 'false') throw new TimelineError("query 'injected' must be true or false");
  const cursorRaw = params.get('cursor');
  const cursor = cursorRaw ? decodeCursor(cursorRaw) : undefined;
  if (cursor && !rank.has(cursor.vendor)) throw new TimelineError("query 'cursor' is not a cursor this API issued");

  const actor = params.get('actor')?.trim() || undefined;
  const action = params.get('action')?.trim().toLowerCase() || undefined;
  const actorOk = actor ? actorMatcher(emu, actor) : undefined;
  const match = (s: EventSummary): boolean =>
    (!outcome || s.outcome === outcome) && (!action || s.action.toLowerCase().includes(action)) && (!actorOk || actorOk(s.actor));
  return { runtimes, rank, from, to, limit, cursor, injectedOnly: injected === 'true', match, matchAll: !outcome && !action && !actor };
}

/** Where a vendor's scan resumes after the cursor, in the merge order (time desc, vendor rank, seq desc). */
function resumeAfter(q: TimelineQuery, rt: ProviderRuntime): Position | undefined {
  const c = q.cursor;
  if (!c) return undefined;
  const mine = q.rank.get(rt.provider.id)!;
  const theirs = q.rank.get(c.vendor)!;
  if (mine === theirs) return { ts: c.ts, seq: c.seq };
  // Vendors ranked before the cursor's have emitted all of that instant; later ones none of it.
  return { ts: c.ts, seq: mine < theirs ? -Infinity : Infinity };
}

function scanVendor(q: TimelineQuery, rt: ProviderRuntime): Iterator<Entry<unknown>> {
  const store = rt.ctx.store;
  const { from, to } = store.clamp(q.from, q.to);
  const summarize = (rec: unknown) => rt.summarize(rec);
  const filter = q.matchAll ? undefined : (rec: unknown) => q.match(summarize(rec));
  const after = resumeAfter(q, rt);
  if (q.injectedOnly) return injectedEntries(store, from, to, after, filter)[Symbol.iterator]();
  // One bucket at a time: a scan generates every bucket of its window up front, and a page rarely needs more than the newest.
  return (function* () {
    for (let hi = to; hi >= from;) {
      const lo = Math.max(from, Math.floor(hi / store.bucketMs) * store.bucketMs);
      yield* store.scan({ from: lo, to: hi, order: 'desc', after, filter });
      hi = lo - 1;
    }
  })();
}

/** Injected entries, newest first, from the store's index of them. */
function injectedEntries<R>(store: EventStore<R>, from: number, to: number, after: Position | undefined, filter?: (rec: R) => boolean): Entry<R>[] {
  const out: Entry<R>[] = [];
  for (const e of store.injectedBetween(from, to).reverse()) {
    if (after && comparePos(e, after) >= 0) continue;
    if (filter && !filter(e.rec)) continue;
    out.push(e);
  }
  return out;
}

export function toEvent(rt: ProviderRuntime, e: Entry<unknown>): TimelineEvent {
  const s = rt.summarize(e.rec);
  return {
    vendor: rt.provider.id,
    id: rt.idOf(e),
    time: new Date(e.ts).toISOString(),
    actor: s.actor,
    action: s.action,
    outcome: s.outcome,
    ...(s.target !== undefined ? { target: s.target } : {}),
    ...(s.sourceIp !== undefined ? { sourceIp: s.sourceIp } : {}),
    injected: e.injected === true,
  };
}

/** One page of the merged timeline: pulls at most limit + 1 entries from the vendors' lazy scans. */
export function timeline(q: TimelineQuery): { events: TimelineEvent[]; next: string } {
  const heads = q.runtimes.map((rt) => {
    const it = scanVendor(q, rt);
    const first = it.next();
    return { rt, it, cur: first.done ? undefined : first.value };
  });
  const events: TimelineEvent[] = [];
  let last: { ts: number; vendor: string; seq: number } | undefined;
  for (;;) {
    let best: (typeof heads)[number] | undefined;
    for (const h of heads) {
      // heads are in rank order, so a tie on time keeps the lower-ranked vendor first
      if (h.cur && (!best || h.cur.ts > best.cur!.ts)) best = h;
    }
    if (!best) return { events, next: '' };
    if (events.length === q.limit) return { events, next: encodeCursor(last!) };
    const e = best.cur!;
    events.push(toEvent(best.rt, e));
    last = { ts: e.ts, vendor: best.rt.provider.id, seq: e.seq };
    const n = best.it.next();
    best.cur = n.done ? undefined : n.value;
  }
}

export interface Histogram {
  from: string;
  to: string;
  bucketMs: number;
  /** Start of each hour, oldest first. */
  hours: string[];
  /** Count per hour per vendor, aligned with `hours`. */
  series: Record<string, number[]>;
  /** Injected events per hour (all selected vendors). */
  injected: number[];
  total: number;
}

export function histogram(q: TimelineQuery): Histogram {
  if (!Number.isFinite(q.from)) throw new TimelineError("query 'from' is required for a histogram");
  const start = Math.floor(q.from / HOUR) * HOUR;
  const n = Math.max(1, Math.ceil((q.to - start + 1) / HOUR));
  if (n > MAX_HOURS) throw new TimelineError(`the histogram spans at most ${MAX_HOURS} hours`);
  const series: Record<string, number[]> = {};
  const injected = new Array<number>(n).fill(0);
  let total = 0;
  for (const rt of q.runtimes) {
    const counts = new Array<number>(n).fill(0);
    series[rt.provider.id] = counts;
    const store = rt.ctx.store;
    const { from, to } = store.clamp(q.from, q.to);
    const summarize = (rec: unknown) => rt.summarize(rec);
    const filter = q.matchAll ? undefined : (rec: unknown) => q.match(summarize(rec));
    const entries = q.injectedOnly ? injectedEntries(store, from, to, undefined, filter) : store.scan({ from, to, order: 'asc', filter });
    for (const e of entries) {
      const i = Math.floor((e.ts - start) / HOUR);
      counts[i]++;
      if (e.injected) injected[i]++;
      total++;
    }
  }
  const hours = Array.from({ length: n }, (_, i) => new Date(start + i * HOUR).toISOString());
  return { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString(), bucketMs: HOUR, hours, series, injected, total };
}

/** An event by its timeline id: `<vendor>:<seq>` directly, a vendor's own id by a scan of what is held in memory. */
export function findEvent(rt: ProviderRuntime, id: string): Entry<unknown> | undefined {
  const store = rt.ctx.store;
  const m = new RegExp(`^${rt.provider.id}:(\\d+)$`).exec(id);
  if (m) {
    // Numbered entries are found where they live, their day made again if it was evicted.
    const e = store.withSeq(Number(m[1]));
    return e && rt.idOf(e) === id ? e : undefined;
  }
  for (const e of store.all()) if (rt.idOf(e) === id) return e;
  return undefined;
}
