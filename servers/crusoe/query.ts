import { hashParams, openToken } from '../core/cursor.js';
import { fail } from '../core/failure.js';
import { Params } from '../core/params.js';
import { Memo } from '../core/memo.js';
import { parseTime } from '../core/time.js';
import type { LogEntry } from './events.js';
import { parseQueryString, rawQueryOf } from './signature.js';

const DAY = 86_400_000;

/** The list filters in the order Crusoe's documentation lists them (errors name the first bad one in this order). */
export const LIST_FILTERS = [
  'project_ids', 'actions', 'actor_ids', 'actor_emails', 'actor_types', 'target_ids', 'target_types',
  'target_names', 'locations', 'results', 'results_not', 'surfaces',
] as const;

export interface PageToken {
  v: 1;
  /** 'n' continues to older entries, 'p' returns the newer page. */
  d: 'n' | 'p';
  ts: number;
  seq: number;
  from: number;
  to: number;
  f: string;
}

export interface CrusoeQuery {
  from: number;
  to: number;
  limit: number;
  filter: (e: LogEntry) => boolean;
  filterHash: string;
  cursor: PageToken | null;
}

type Static =
  | { ok: true; start?: number; end?: number; limit: number; filter: (e: LogEntry) => boolean; filterHash: string; cursor: PageToken | null }
  | { ok: false; detail: string };

// Everything but the window is a pure function of the query string (and the token secret, fixed
// per vendor instance), so repeated polls reuse it.
const statics = new WeakMap<Buffer, Memo<Static>>();

/** The 17 query parameters of a request URL, validated and resolved; `now` is the emulator clock. */
export function parseQuery(url: string, now: number, retentionMs: number, secret: Buffer): CrusoeQuery {
  const raw = rawQueryOf(url);
  let memo = statics.get(secret);
  if (!memo) statics.set(secret, (memo = new Memo<Static>(1000)));
  // Auth has already refused a query that does not decode.
  const st = memo.get(raw, () => parseStatic(parseQueryString(raw)?.pairs ?? [], secret));
  if (!st.ok) return fail.badRequest(st.detail);
  // A page token carries the window of the first page, so later pages do not slide with the clock.
  let from: number;
  let to: number;
  if (st.cursor) {
    ({ from, to } = st.cursor);
  } else {
    to = st.end ?? now;
    from = st.start ?? to - DAY;
  }
  from = Math.max(from, now - retentionMs);
  return { from, to, limit: st.limit, filter: st.filter, filterHash: st.filterHash, cursor: st.cursor };
}

function parseStatic(pairs: Array<[string, string]>, secret: Buffer): Static {
  const p = new Params(pairs);
  const startRaw = p.one('start_time');
  const endRaw = p.one('end_time');
  const start = startRaw === undefined ? undefined : parseTime(startRaw);
  if (start === null) return { ok: false, detail: 'invalid start_time' };
  const end = endRaw === undefined ? undefined : parseTime(endRaw);
  if (end === null) return { ok: false, detail: 'invalid end_time' };
  if (start !== undefined && end !== undefined && start > end) return { ok: false, detail: 'start_time must not be after end_time' };

  const lists: Partial<Record<(typeof LIST_FILTERS)[number], string[]>> = {};
  for (const name of LIST_FILTERS) lists[name] = p.list(name);

  const limitRaw = p.one('limit');
  let limit = 50;
  if (limitRaw !== undefined) {
    if (!/^\d{1,7}$/.test(limitRaw) || Number(limitRaw) < 1 || Number(limitRaw) > 1000) return { ok: false, detail: 'invalid limit' };
    limit = Number(limitRaw);
  }

  const next = p.one('next_token');
  const prev = p.one('prev_token');
  if (next !== undefined && prev !== undefined) return { ok: false, detail: 'only one of next_token and prev_token may be set' };
  const filterHash = hashParams(p.without('limit', 'next_token', 'prev_token'));
  let cursor: PageToken | null = null;
  const tokenName = next !== undefined ? 'next_token' : 'prev_token';
  const tokenRaw = next ?? prev;
  if (tokenRaw !== undefined) {
    const tok = openToken<PageToken>(secret, tokenRaw);
    const wantDir = next !== undefined ? 'n' : 'p';
    if (!tok || tok.v !== 1 || tok.d !== wantDir || ![tok.ts, tok.seq, tok.from, tok.to].every(Number.isFinite)) {
      return { ok: false, detail: `invalid ${tokenName}` };
    }
    if (tok.f !== filterHash) return { ok: false, detail: 'page token does not match the request filters' };
    cursor = tok;
  }
  return { ok: true, start, end, limit, filter: buildFilter(lists), filterHash, cursor };
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
