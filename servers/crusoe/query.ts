import { openToken } from '../core/cursor.js';
import { fail } from '../core/failure.js';
import { Params } from '../core/params.js';
import { Memo } from '../core/memo.js';
import { parseTime } from '../core/time.js';
import type { LogEntry } from './events.js';
import type { CrusoeSettings } from './settings.js';
import { canonicalQuery, parseQueryString, parseRawQuery, rawQueryOf } from './signature.js';

const DAY = 86_400_000;

/** The list filters in the order Crusoe's documentation lists them (errors name the first bad one in this order). */
export const LIST_FILTERS = [
  'project_ids',
  'actions',
  'actor_ids',
  'actor_emails',
  'actor_types',
  'target_ids',
  'target_types',
  'target_names',
  'locations',
  'results',
  'results_not',
  'surfaces',
] as const;

export interface PageToken {
  v: 2;
  /** 'n' continues to older entries, 'p' returns the newer page. */
  d: 'n' | 'p';
  ts: number;
  seq: number;
  /** The window resolved for the first page, so later pages do not slide with the clock. */
  from: number;
  to: number;
  /** The query's filter key (see `filterKey`): a request that repeats no filter continues this query. */
  q: string;
}

export interface CrusoeQuery {
  from: number;
  to: number;
  limit: number;
  /** Matching entries skipped from the newest end of the window (the forwarder's `offset`); 0 with a token. */
  offset: number;
  filter: (e: LogEntry) => boolean;
  filterKey: string;
  cursor: PageToken | null;
}

/** Every parameter the emulator reads: Crusoe's 17 and the forwarder's undocumented `offset`. */
const KNOWN = new Set<string>(['start_time', 'end_time', ...LIST_FILTERS, 'limit', 'next_token', 'prev_token', 'offset']);
/** Far more entries than 90 days of history hold: bounds how far one request may ask the store to walk. */
const MAX_OFFSET = 10_000_000;

type Filter = (e: LogEntry) => boolean;
type Static =
  | { ok: true; start?: number; end?: number; limit: number; offset: number; filter: Filter; filterKey: string; cursor: PageToken | null }
  | { ok: false; detail: string };

export type QueryParser = (url: string, now: number, retentionMs: number) => CrusoeQuery;

/**
 * The query of a request URL, validated and resolved; `now` is the emulator clock. Everything but the
 * window is a pure function of the query string (the token secret and the settings are fixed per
 * vendor instance), so repeated polls reuse it.
 */
export function queryParser(settings: Pick<CrusoeSettings, 'unknownParameters'>, secret: Buffer): QueryParser {
  const statics = new Memo<Static>(1000);
  // Token-only pages rebuild the first page's filter from the key the token carries.
  const filters = new Memo<Filter>(200);
  const filterOf = (key: string) => filters.get(key, () => buildFilter(listsOf(new Params(parseRawQuery(key) ?? []))));
  const opts = { secret, rejectUnknown: settings.unknownParameters === 'reject', filterOf };
  return (url, now, retentionMs) => {
    const raw = rawQueryOf(url);
    // Auth has already refused a query that does not decode.
    const st = statics.get(raw, () => parseStatic(parseQueryString(raw)?.pairs ?? [], opts));
    if (!st.ok) return fail.badRequest(st.detail);
    let from: number;
    let to: number;
    if (st.cursor) {
      ({ from, to } = st.cursor);
    } else {
      to = st.end ?? now;
      from = st.start ?? to - DAY;
    }
    from = Math.max(from, now - retentionMs);
    return { from, to, limit: st.limit, offset: st.offset, filter: st.filter, filterKey: st.filterKey, cursor: st.cursor };
  };
}

interface ParseOptions {
  secret: Buffer;
  rejectUnknown: boolean;
  filterOf(key: string): Filter;
}

function parseStatic(pairs: Array<[string, string]>, o: ParseOptions): Static {
  const p = new Params(pairs);
  const startRaw = p.one('start_time');
  const endRaw = p.one('end_time');
  const start = startRaw === undefined ? undefined : parseTime(startRaw);
  if (start === null) return { ok: false, detail: 'invalid start_time' };
  const end = endRaw === undefined ? undefined : parseTime(endRaw);
  if (end === null) return { ok: false, detail: 'invalid end_time' };
  if (start !== undefined && end !== undefined && start > end) return { ok: false, detail: 'start_time must not be after end_time' };
  const limit = intParam(p.one('limit'), 1, 1000, 50, 7);
  if (limit === null) return { ok: false, detail: 'invalid limit' };
  const offsetRaw = p.one('offset');
  const offset = intParam(offsetRaw, 0, MAX_OFFSET, 0, 8);
  if (offset === null) return { ok: false, detail: 'invalid offset' };
  const key = filterKey(p, start, end);
  const cursor = pageToken(p, o.secret, key, offsetRaw !== undefined);
  if (typeof cursor === 'string') return { ok: false, detail: cursor };
  if (o.rejectUnknown) {
    const unknown = p.keys().find((k) => !KNOWN.has(k));
    if (unknown !== undefined) return { ok: false, detail: `unknown parameter '${unknown}'` };
  }
  // A token continues its own query: the request's window and filters are the token's (or the same).
  if (cursor) return { ok: true, limit, offset: 0, filter: o.filterOf(cursor.q), filterKey: cursor.q, cursor };
  return { ok: true, start, end, limit, offset, filter: o.filterOf(key), filterKey: key, cursor: null };
}

/** Plain decimal digits (at most `digits` of them) in [min, max]; `fallback` when absent; null when anything else. */
function intParam(raw: string | undefined, min: number, max: number, fallback: number, digits: number): number | null {
  if (raw === undefined) return fallback;
  if (raw.length > digits || !/^\d+$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}

/**
 * What a page token binds: the window bounds (as instants, so `Z` and `+00:00` spellings agree) and
 * every list filter (split and trimmed), in canonical query form. Empty when the request has none.
 */
function filterKey(p: Params, start: number | undefined, end: number | undefined): string {
  const pairs: Array<[string, string]> = [];
  if (start !== undefined) pairs.push(['start_time', String(start)]);
  if (end !== undefined) pairs.push(['end_time', String(end)]);
  const lists = listsOf(p);
  for (const name of LIST_FILTERS) if (lists[name]) pairs.push([name, lists[name].join(',')]);
  return canonicalQuery(pairs);
}

/**
 * The request's page token, opened and checked; null without one; a 400 detail when it is bad, comes
 * with `offset`, or is bound to filters other than those the request sends (sending none continues it).
 */
function pageToken(p: Params, secret: Buffer, key: string, withOffset: boolean): PageToken | null | string {
  const next = p.one('next_token');
  const prev = p.one('prev_token');
  if (next !== undefined && prev !== undefined) return 'only one of next_token and prev_token may be set';
  const tokenRaw = next ?? prev;
  if (tokenRaw === undefined) return null;
  const tokenName = next !== undefined ? 'next_token' : 'prev_token';
  const tok = openToken<PageToken>(secret, tokenRaw);
  const wantDir = next !== undefined ? 'n' : 'p';
  if (!tok || tok.v !== 2 || tok.d !== wantDir || ![tok.ts, tok.seq, tok.from, tok.to].every(Number.isFinite) || typeof tok.q !== 'string') {
    return `invalid ${tokenName}`;
  }
  if (withOffset) return 'offset cannot be combined with next_token or prev_token';
  if (key !== '' && key !== tok.q) return 'page token does not match the request filters';
  return tok;
}

function listsOf(p: Params): Partial<Record<(typeof LIST_FILTERS)[number], string[]>> {
  const lists: Partial<Record<(typeof LIST_FILTERS)[number], string[]>> = {};
  for (const name of LIST_FILTERS) lists[name] = p.list(name);
  return lists;
}

function set(values: string[] | undefined, lower = false): Set<string> | null {
  return values ? new Set(lower ? values.map((v) => v.toLowerCase()) : values) : null;
}

function anyIn(values: string[], s: Set<string>, lower = false): boolean {
  for (const v of values) if (s.has(lower ? v.toLowerCase() : v)) return true;
  return false;
}

/** AND across filters, OR within one; emails and UUIDs compare case-insensitively. */
function buildFilter(l: Partial<Record<(typeof LIST_FILTERS)[number], string[]>>): (e: LogEntry) => boolean {
  const projects = set(l.project_ids, true);
  const actions = set(l.actions);
  const actorIds = set(l.actor_ids, true);
  const emails = set(l.actor_emails, true);
  const actorTypes = set(l.actor_types);
  const targetIds = set(l.target_ids, true);
  const targetTypes = set(l.target_types);
  const targetNames = set(l.target_names);
  const locations = set(l.locations);
  const results = set(l.results);
  const resultsNot = set(l.results_not);
  const surfaces = set(l.surfaces);
  return (e) =>
    (!projects || projects.has(e.project_id.toLowerCase())) &&
    (!actions || actions.has(e.action)) &&
    (!actorIds || actorIds.has(e.actor_id.toLowerCase())) &&
    // Per the spec's own example text, actor_emails matches user emails only, never Crusoe staff.
    (!emails || (e.actor_type !== 'Crusoe Admin' && emails.has(e.actor_email.toLowerCase()))) &&
    (!actorTypes || actorTypes.has(e.actor_type)) &&
    (!targetIds || anyIn(e.target_ids, targetIds, true)) &&
    (!targetTypes || targetTypes.has(e.target_type)) &&
    (!targetNames || anyIn(e.target_names, targetNames)) &&
    (!locations || anyIn(e.locations, locations)) &&
    (!results || results.has(e.result)) &&
    (!resultsNot || !resultsNot.has(e.result)) &&
    (!surfaces || surfaces.has(e.surface));
}
