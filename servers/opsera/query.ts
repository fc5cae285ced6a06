import { fail } from '../core/failure.js';
import type { Params } from '../core/params.js';
import { parseTime } from '../core/time.js';

const DAY = 86_400_000;
const MAX_COUNT = 1000;

export interface OpseraQuery {
  from: number;
  to: number;
  limit: number;
  /** Values of `type` (actions) or `scope` (tokens), ORed; null = no filter. */
  values: Set<string> | null;
}

export interface QueryOptions {
  now: number;
  /** `type` on /actions, `scope` on /tokens. */
  filterName: 'type' | 'scope';
  /** `dateMode`: "from" (that day up to now) or "day" (that UTC day only). */
  dateMode: 'from' | 'day';
}

/** A repeated key counts with its first value only. */
function first(params: Params, name: string): string | undefined {
  return params.all(name)[0];
}

/** `date`, then `count`, then the filter: the first bad one answers 400; unknown parameters are ignored. */
export function parseQuery(params: Params, opts: QueryOptions): OpseraQuery {
  const date = first(params, 'date');
  let from: number;
  let to = opts.now;
  if (date === undefined) {
    from = opts.now - 7 * DAY;
  } else {
    const day = /^\d{4}-\d{2}-\d{2}$/.test(date) ? parseTime(date, { dateOnly: true }) : null;
    if (day === null) return fail.badRequest('Invalid date, expected YYYY-MM-DD');
    from = day;
    if (opts.dateMode === 'day') to = Math.min(to, day + DAY - 1);
  }

  const countRaw = first(params, 'count');
  let limit = MAX_COUNT;
  if (countRaw !== undefined) {
    if (!/^\d+$/.test(countRaw) || /^0+$/.test(countRaw)) return fail.badRequest('Invalid count, expected a positive integer');
    // Clamp long digit strings before converting, so 1e400-sized values stay exact.
    limit = countRaw.replace(/^0+/, '').length > 4 ? MAX_COUNT : Math.min(MAX_COUNT, Number(countRaw));
  }

  const raw = first(params, opts.filterName);
  const pieces =
    raw === undefined
      ? []
      : raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  return { from, to, limit, values: pieces.length ? new Set(pieces) : null };
}
