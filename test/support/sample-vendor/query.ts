import { openToken, sealToken } from '../../../servers/core/cursor.js';
import { describeAjvError, type Spec } from '../../../servers/core/spec.js';
import { fail } from '../../../servers/core/failure.js';
import type { Position } from '../../../servers/core/store.js';
import { parseTime } from '../../../servers/core/time.js';
import type { components } from './generated.js';

type SearchRequest = components['schemas']['SearchRequest'];

const WEEK = 7 * 86_400_000;

/** What a page asks for; a cursor carries all of it, so later pages cannot change the query. */
export interface SampleQuery {
  from: number;
  to: number;
  actions: string[] | null;
  limit: number;
  after?: Position;
}

export interface QueryContext {
  now: number;
  secret: Buffer;
  maxPageSize: number;
}

export function sealCursor(secret: Buffer, q: SampleQuery, after: Position): string {
  return sealToken(secret, { ...q, after: { ts: after.ts, seq: after.seq } });
}

function fromCursor(token: string, x: QueryContext): SampleQuery {
  return openToken<SampleQuery>(x.secret, token) ?? fail.badRequest('the cursor is not one this API issued', { detail: { field: 'cursor' } });
}

/** The common part of both forms: limit within 1..100 (served up to maxPageSize), window from `since` to now. */
function build(x: QueryContext, s: { limit?: number; since?: string; actions?: string[] }): SampleQuery {
  if (s.limit !== undefined && !(Number.isInteger(s.limit) && s.limit >= 1 && s.limit <= 100)) {
    fail.badRequest('limit must be an integer from 1 to 100', { detail: { field: 'limit' } });
  }
  const from = s.since === undefined ? x.now - WEEK : parseTime(s.since);
  if (from === null) return fail.badRequest('since must be an RFC 3339 date-time', { detail: { field: 'since' } });
  return { from, to: x.now, actions: s.actions ?? null, limit: Math.min(s.limit ?? 50, x.maxPageSize) };
}

/** GET /v1/events parameters; unknown ones are ignored, as the real vendors mostly do. */
export function queryFromParams(params: URLSearchParams, x: QueryContext): SampleQuery {
  const cursor = params.get('cursor');
  if (cursor) return fromCursor(cursor, x);
  const limit = params.get('limit');
  if (limit !== null && !/^\d{1,3}$/.test(limit)) fail.badRequest('limit must be an integer from 1 to 100', { detail: { field: 'limit' } });
  const action = params.get('action');
  return build(x, { limit: limit === null ? undefined : Number(limit), since: params.get('since') ?? undefined, actions: action ? [action] : undefined });
}

/** POST /v1/events/search body, checked against the spec's SearchRequest schema. */
export function queryFromBody(body: unknown, spec: Spec, x: QueryContext): SampleQuery {
  const validate = spec.schemaValidator('SearchRequest');
  if (!validate(body)) fail.badRequest(describeAjvError(validate.errors, 'body'), { detail: { field: 'body' } });
  const b = body as SearchRequest;
  return b.cursor ? fromCursor(b.cursor, x) : build(x, b);
}
