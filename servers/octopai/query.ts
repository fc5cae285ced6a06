import { parseTime } from '../core/time.js';
import type { OctopaiEvent } from './events.js';

const DAY = 86_400_000;
const INT32_MAX = 2_147_483_647;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_WINDOW_DAYS = 7;

/** Canonical parameter names; callers may use any casing. */
const NAMES = ['startDate', 'endDate', 'userName', 'eventType', 'pageNumber', 'pageSize'] as const;
type Name = (typeof NAMES)[number];
const BY_LOWER = new Map(NAMES.map((n) => [n.toLowerCase(), n]));

export interface EventsQuery {
  from: number;
  to: number;
  pageNumber: number;
  pageSize: number;
  filter: (e: OctopaiEvent) => boolean;
}

export type ParsedEvents = { ok: true; query: EventsQuery } | { ok: false; errors: Record<string, string[]> };

/**
 * Merge the query string and (for POST) the JSON body: names case-insensitive, body wins,
 * repeated query keys and comma lists add up for eventType, other keys take their first value.
 */
export function collectParams(pairs: Iterable<[string, string]>, body: Record<string, unknown> | null): Map<Name, unknown> {
  const out = new Map<Name, unknown>();
  const types: string[] = [];
  for (const [k, v] of pairs) {
    const name = BY_LOWER.get(k.toLowerCase());
    if (!name) continue;
    if (name === 'eventType') types.push(v);
    else if (!out.has(name) && v !== '') out.set(name, v);
  }
  if (types.length) out.set('eventType', types);
  if (body) {
    for (const [k, v] of Object.entries(body)) {
      const name = BY_LOWER.get(k.toLowerCase());
      if (name && v !== null && v !== undefined) out.set(name, v);
    }
  }
  return out;
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

/** Validate and resolve the six parameters (octopai.md sections 4.2 and 6). `now` is the emulator clock. */
export function parseEvents(params: Map<Name, unknown>, now: number): ParsedEvents {
  const errors: Record<string, string[]> = {};
  const fail = (name: Name, msg: string) => (errors[name] ??= []).push(msg);
  const notValid = (name: Name, v: unknown) => fail(name, `The value '${show(v)}' is not valid for ${name}.`);

  const date = (name: 'startDate' | 'endDate'): number | undefined => {
    const v = params.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return void notValid(name, v);
    const s = v.trim();
    const ms = parseTime(s, { dateOnly: true, localAsUtc: true });
    if (ms === null) return void notValid(name, v);
    // A date-only end covers the whole of that day.
    return name === 'endDate' && /^\d{4}-\d{2}-\d{2}$/.test(s) ? ms + DAY - 1 : ms;
  };
  const int = (name: 'pageNumber' | 'pageSize', dflt: number, min: number, max: number): number => {
    const v = params.get(name);
    if (v === undefined) return dflt;
    let n: number;
    if (typeof v === 'number' && Number.isInteger(v)) n = v;
    else if (typeof v === 'string' && /^\s*[+-]?\d{1,10}\s*$/.test(v)) n = Number(v);
    else return notValid(name, v), dflt;
    if (Math.abs(n) > INT32_MAX) return notValid(name, v), dflt;
    if (n < min || n > max) fail(name, max === INT32_MAX ? `${name} must be ${min} or greater.` : `${name} must be between ${min} and ${max}.`);
    return n;
  };

  const start = date('startDate');
  const end = date('endDate');
  if (start !== undefined && end !== undefined && start > end) fail('startDate', 'startDate must not be later than endDate.');

  let userName: string | undefined;
  const u = params.get('userName');
  if (u !== undefined) {
    if (typeof u === 'string') userName = u.trim().toLowerCase() || undefined;
    else notValid('userName', u);
  }

  let types: Set<string> | undefined;
  const et = params.get('eventType');
  if (et !== undefined) {
    const raw = typeof et === 'string' ? [et] : Array.isArray(et) && et.every((x) => typeof x === 'string') ? (et as string[]) : null;
    if (!raw) notValid('eventType', et);
    else {
      const list = raw.flatMap((x) => x.split(',')).map((x) => x.trim().toLowerCase()).filter(Boolean);
      if (list.length) types = new Set(list);
    }
  }

  const pageNumber = int('pageNumber', 1, 1, INT32_MAX);
  const pageSize = int('pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  if (Object.keys(errors).length) return { ok: false, errors };

  const to = end ?? now;
  const from = start ?? to - DEFAULT_WINDOW_DAYS * DAY;
  const filter = (e: OctopaiEvent) =>
    (!userName || (e.userName !== null && e.userName.toLowerCase() === userName)) &&
    (!types || types.has(e.eventType.toLowerCase()));
  return { ok: true, query: { from, to, pageNumber, pageSize, filter } };
}
