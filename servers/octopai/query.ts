import type { Context } from 'hono';
import { fail } from '../core/failure.js';
import { parseTime } from '../core/time.js';
import type { components } from '../../openapi/generated/octopai.js';
import type { OctopaiEvent } from './events.js';
import { jsonBody, type JsonObject } from './http.js';

type UserEventsRequest = components['schemas']['UserEventsRequest'];

const DAY = 86_400_000;
const INT32_MAX = 2_147_483_647;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const DEFAULT_WINDOW_DAYS = 7;

/** Canonical parameter names; callers may use any casing. */
const NAMES = ['startDate', 'endDate', 'userName', 'eventType', 'pageNumber', 'pageSize'] as const satisfies readonly (keyof UserEventsRequest)[];
type Name = (typeof NAMES)[number];
const BY_LOWER = new Map(NAMES.map((n) => [n.toLowerCase(), n]));

export interface EventsQuery {
  from: number;
  to: number;
  pageNumber: number;
  pageSize: number;
  filter: (e: OctopaiEvent) => boolean;
}

/**
 * Merge the query string and (for POST) the JSON body: names case-insensitive, body wins,
 * repeated query keys and comma lists add up for eventType, other keys take their first value.
 */
function collectParams(pairs: Iterable<[string, string]>, body: Record<string, unknown> | null): Map<Name, unknown> {
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
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

/** ASP.NET's model-state errors: parameter → messages. */
class Problems {
  readonly errors: Record<string, string[]> = {};
  add(name: Name, msg: string): void {
    (this.errors[name] ??= []).push(msg);
  }
  notValid(name: Name, v: unknown): undefined {
    this.add(name, `The value '${show(v)}' is not valid for ${name}.`);
  }
  get any(): boolean {
    return Object.keys(this.errors).length > 0;
  }
}

function dateParam(params: Map<Name, unknown>, name: 'startDate' | 'endDate', p: Problems): number | undefined {
  const v = params.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return p.notValid(name, v);
  const s = v.trim();
  const ms = parseTime(s, { dateOnly: true, localAsUtc: true });
  if (ms === null) return p.notValid(name, v);
  // A date-only end covers the whole of that day.
  return name === 'endDate' && /^\d{4}-\d{2}-\d{2}$/.test(s) ? ms + DAY - 1 : ms;
}

/** An Int32 as a number or a digit string; out of [min, max] is a range message, not a parse error. */
function intParam(params: Map<Name, unknown>, name: 'pageNumber' | 'pageSize', dflt: number, [min, max]: [number, number], p: Problems): number {
  const v = params.get(name);
  if (v === undefined) return dflt;
  let n: number;
  if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else if (typeof v === 'string' && /^\s*[+-]?\d{1,10}\s*$/.test(v)) n = Number(v);
  else return (p.notValid(name, v), dflt);
  if (Math.abs(n) > INT32_MAX) return (p.notValid(name, v), dflt);
  if (n < min || n > max) p.add(name, max === INT32_MAX ? `${name} must be ${min} or greater.` : `${name} must be between ${min} and ${max}.`);
  return n;
}

/** Lower-cased; blank is no filter. */
function userNameParam(params: Map<Name, unknown>, p: Problems): string | undefined {
  const u = params.get('userName');
  if (u === undefined) return undefined;
  if (typeof u !== 'string') return p.notValid('userName', u);
  return u.trim().toLowerCase() || undefined;
}

/** Strings and comma lists, ORed, lower-cased; no names is no filter. */
function eventTypesParam(params: Map<Name, unknown>, p: Problems): Set<string> | undefined {
  const et = params.get('eventType');
  if (et === undefined) return undefined;
  const raw = typeof et === 'string' ? [et] : Array.isArray(et) && et.every((x) => typeof x === 'string') ? et : null;
  if (!raw) return p.notValid('eventType', et);
  const list = raw
    .flatMap((x) => x.split(','))
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
  return list.length ? new Set(list) : undefined;
}

/**
 * Validate and resolve the six parameters with ASP.NET's messages; every bad one is named in one
 * validation problem. `now` is the emulator clock.
 */
function parseEvents(params: Map<Name, unknown>, now: number): EventsQuery {
  const p = new Problems();
  const start = dateParam(params, 'startDate', p);
  const end = dateParam(params, 'endDate', p);
  if (start !== undefined && end !== undefined && start > end) p.add('startDate', 'startDate must not be later than endDate.');
  const userName = userNameParam(params, p);
  const types = eventTypesParam(params, p);
  const pageNumber = intParam(params, 'pageNumber', 1, [1, INT32_MAX], p);
  const pageSize = intParam(params, 'pageSize', DEFAULT_PAGE_SIZE, [1, MAX_PAGE_SIZE], p);
  if (p.any) fail.badRequest('invalid parameters', { detail: p.errors });

  const to = end ?? now;
  const from = start ?? to - DEFAULT_WINDOW_DAYS * DAY;
  const filter = (e: OctopaiEvent) =>
    (!userName || (e.userName !== null && e.userName.toLowerCase() === userName)) && (!types || types.has(e.eventType.toLowerCase()));
  return { from, to, pageNumber, pageSize, filter };
}

const BODY_PROBLEMS = {
  not_json: 'The request body is not valid JSON.',
  not_object: 'The request body must be a JSON object.',
};

/** The POST body of UserEvents: a JSON object, or null when empty; anything else is the body's (`$`) validation problem. */
async function paramsBody(c: Context, maxBodyBytes: number): Promise<JsonObject | null> {
  const b = await jsonBody(c, maxBodyBytes);
  if (b.ok) return b.body;
  if (b.why === 'too_large') return fail.tooLarge('request body too large');
  const msg = b.why === 'content_type' ? `Unsupported content type '${c.req.header('content-type')}'; send application/json.` : BODY_PROBLEMS[b.why];
  return fail.badRequest(msg, { detail: { $: [msg] } });
}

/** The UserEvents query from the query string and, for POST, the JSON body. */
export async function eventsQuery(c: Context, now: number, maxBodyBytes: number): Promise<EventsQuery> {
  const body = c.req.method === 'POST' ? await paramsBody(c, maxBodyBytes) : null;
  return parseEvents(collectParams(new URL(c.req.url).searchParams, body), now);
}
