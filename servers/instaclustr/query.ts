import { ACTION_BY_KIND } from '../../fixtures/catalogues/instaclustr.js';
import { Params } from '../core/params.js';
import { parseTime } from '../core/time.js';
import type { Endpoint } from './auth.js';
import type { FieldError } from './errors.js';
import type { UserAction } from './events.js';

const CRUD = new Set(['CREATE', 'READ', 'UPDATE', 'DELETE']);

export interface UserActionsQuery {
  pageSize: number;
  startIndex: number;
  getActionCounts: boolean;
  /** Inclusive lower and exclusive upper bound, ms; undefined when not given. */
  startTime?: number;
  endTime?: number;
  filter: (r: UserAction) => boolean;
}

export interface QueryOptions {
  /** `instaclustr.unknownActionKindsMatchNothing`: all-unknown actionKinds match nothing instead of everything. */
  unknownActionKindsMatchNothing: boolean;
}

/** Parameters in the order of section 4; a 400 lists one error per bad parameter, in that order. */
export function parseQuery(url: string, endpoint: Endpoint, opts: QueryOptions): { ok: true; query: UserActionsQuery } | { ok: false; errors: FieldError[] } {
  const p = Params.fromUrl(url);
  const errors: FieldError[] = [];
  const single = (name: string): string | undefined | null => {
    const all = p.all(name);
    if (all.length === 0) return undefined;
    if (all.length > 1) {
      errors.push({ name, message: `${name} must be given only once` });
      return null;
    }
    return all[0];
  };
  const integer = (name: string, min: number, max: number, fallback: number, message: string): number => {
    const v = single(name);
    if (v === undefined || v === null) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      errors.push({ name, message });
      return fallback;
    }
    return Number(v);
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = single(name);
    if (v === undefined || v === null) return fallback;
    if (!/^(true|false)$/i.test(v)) {
      errors.push({ name, message: `${name} must be true or false` });
      return fallback;
    }
    return v.toLowerCase() === 'true';
  };
  const time = (name: string): number | undefined => {
    const v = single(name);
    if (v === undefined || v === null) return undefined;
    // An unencoded '+' in a numeric offset arrives as a space; read it back as '+'.
    const t = parseTime(v.replace(/ (\d{2}:\d{2})$/, '+$1'), { dateOnly: true });
    if (t === null) {
      errors.push({ name, message: `${name} must be an ISO-8601 date-time such as 2024-07-01T03:21:09Z, or a date such as 2024-07-01` });
      return undefined;
    }
    return t;
  };

  const pageSize = integer('pageSize', 1, 1000, 10, 'pageSize must be an integer between 1 and 1000');
  const startIndex = integer('startIndex', 0, Number.MAX_SAFE_INTEGER, 0, 'startIndex must be a non-negative integer');
  // Unknown action kinds are ignored, as the real API does.
  const kindsGiven = p.list('actionKinds');
  const kinds = kindsGiven?.filter((k) => ACTION_BY_KIND.has(k));
  const crudGiven = p.list('crudOperations');
  const crud = crudGiven?.filter((v) => CRUD.has(v));
  for (const v of crudGiven ?? []) if (!CRUD.has(v)) errors.push({ name: 'crudOperations', message: `Invalid value: ${v}` });
  const getActionCounts = bool('getActionCounts', true);
  let orgOnly = false;
  let accountOnly = false;
  if (endpoint === 'organisation') {
    orgOnly = bool('organisationLogsOnly', false);
    accountOnly = bool('accountLogsOnly', false);
    if (orgOnly && accountOnly) errors.push({ name: 'accountLogsOnly', message: 'organisationLogsOnly and accountLogsOnly cannot both be true' });
  }
  const startTime = time('startTime');
  const endTime = time('endTime');
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    errors.push({ name: 'startTime', message: 'startTime must not be after endTime' });
  }
  if (errors.length) return { ok: false, errors };

  const users = p.all('userName').filter((v) => v !== '').map((v) => v.toLowerCase());
  const accounts = endpoint === 'organisation' ? p.list('accountId')?.map((v) => v.toLowerCase()) : undefined;
  const kindSet = kinds && (kinds.length || opts.unknownActionKindsMatchNothing) ? new Set(kinds) : null;
  const crudSet = crud?.length ? new Set(crud) : null;
  const userSet = users.length ? new Set(users) : null;
  const accountSet = accounts?.length ? new Set(accounts) : null;
  const filter = (r: UserAction) =>
    (!kindSet || kindSet.has(r.action)) &&
    (!crudSet || crudSet.has(r.crudOperation)) &&
    (!userSet || userSet.has(r.userName.toLowerCase())) &&
    (!orgOnly || r.accountId === null) &&
    (!accountOnly || r.accountId !== null) &&
    (!accountSet || (r.accountId !== null && accountSet.has(r.accountId.toLowerCase())));
  return { ok: true, query: { pageSize, startIndex, getActionCounts, startTime, endTime, filter } };
}
