import { ACTION_BY_KIND } from '../../fixtures/catalogues/instaclustr.js';
import { fail } from '../core/failure.js';
import { Params } from '../core/params.js';
import { parseTime } from '../core/time.js';
import type { Endpoint } from './auth.js';
import type { FieldError } from './errors.js';
import type { UserAction } from './events.js';
import type { ActionFacts } from './facts.js';
import type { InstaclustrSettings } from './settings.js';

const CRUD = new Set(['CREATE', 'READ', 'UPDATE', 'DELETE']);

export interface UserActionsQuery {
  pageSize: number;
  startIndex: number;
  getActionCounts: boolean;
  /** Inclusive lower and exclusive upper bound, ms; undefined when not given. */
  startTime?: number;
  endTime?: number;
  filter: (r: UserAction) => boolean;
  /** The same filter on facts alone, when it does not read names (no userName is given). */
  factsFilter: ((f: ActionFacts) => boolean) | null;
  /** Names the filter: equal keys filter alike (remembered per-day totals are looked up by it). */
  filterKey: string;
}

/** The switch `unknownActionKindsMatchNothing`: all-unknown actionKinds match nothing instead of everything. */
export type QueryOptions = Pick<InstaclustrSettings, 'unknownActionKindsMatchNothing'>;

/** Typed readers of single-valued parameters; each bad one adds its error and gives the fallback. */
function readers(p: Params, errors: FieldError[]) {
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
  return { integer, bool, time };
}

/**
 * Parameters in the spec's order; a bad request lists one error per bad parameter, in that order,
 * as its `detail`.
 */
export function parseQuery(url: string, endpoint: Endpoint, opts: QueryOptions): UserActionsQuery {
  const p = Params.fromUrl(url);
  const errors: FieldError[] = [];
  const read = readers(p, errors);
  const pageSize = read.integer('pageSize', 1, 1000, 10, 'pageSize must be an integer between 1 and 1000');
  const startIndex = read.integer('startIndex', 0, Number.MAX_SAFE_INTEGER, 0, 'startIndex must be a non-negative integer');
  // Unknown action kinds are ignored, as the real API does.
  const kinds = p.list('actionKinds')?.filter((k) => ACTION_BY_KIND.has(k));
  const crudGiven = p.list('crudOperations');
  const crud = crudGiven?.filter((v) => CRUD.has(v));
  for (const v of crudGiven ?? []) if (!CRUD.has(v)) errors.push({ name: 'crudOperations', message: `Invalid value: ${v}` });
  const getActionCounts = read.bool('getActionCounts', true);
  let orgOnly = false;
  let accountOnly = false;
  if (endpoint === 'organisation') {
    orgOnly = read.bool('organisationLogsOnly', false);
    accountOnly = read.bool('accountLogsOnly', false);
    if (orgOnly && accountOnly) errors.push({ name: 'accountLogsOnly', message: 'organisationLogsOnly and accountLogsOnly cannot both be true' });
  }
  const startTime = read.time('startTime');
  const endTime = read.time('endTime');
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    errors.push({ name: 'startTime', message: 'startTime must not be after endTime' });
  }
  if (errors.length) return fail.badRequest(errors.map((e) => e.message).join('; '), { detail: errors });

  const kindSet = kinds && (kinds.length || opts.unknownActionKindsMatchNothing) ? new Set<string>(kinds) : null;
  const crudSet = crud?.length ? new Set<string>(crud) : null;
  const users = p
    .all('userName')
    .filter((v) => v !== '')
    .map((v) => v.toLowerCase());
  const accounts = endpoint === 'organisation' ? p.list('accountId')?.map((v) => v.toLowerCase()) : undefined;
  const factsFilter = factsFilterOf(kindSet, crudSet, accounts?.length ? new Set(accounts) : null, orgOnly, accountOnly);
  const userSet = new Set(users);
  const filter = users.length ? (r: UserAction) => userSet.has(r.userName.toLowerCase()) && factsFilter(r) : factsFilter;
  const sorted = (v: Iterable<string> | null | undefined) => (v ? [...v].sort() : null);
  const filterKey = JSON.stringify([sorted(kindSet), sorted(crudSet), sorted(users), sorted(accounts), orgOnly, accountOnly]);
  return { pageSize, startIndex, getActionCounts, startTime, endTime, filter, factsFilter: users.length ? null : factsFilter, filterKey };
}

type Only<T> = Set<T> | null;

function factsFilterOf(kinds: Only<string>, crud: Only<string>, accounts: Only<string>, orgOnly: boolean, accountOnly: boolean) {
  return (r: ActionFacts) =>
    (!kinds || kinds.has(r.action)) &&
    (!crud || crud.has(r.crudOperation)) &&
    (!orgOnly || r.accountId === null) &&
    (!accountOnly || r.accountId !== null) &&
    (!accounts || (r.accountId !== null && accounts.has(r.accountId.toLowerCase())));
}
