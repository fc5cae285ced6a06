/**
 * A day being generated or counted, and the one way a record is made of it: in full, or (while only
 * counting) as its facts, without writing, and where the stream allows without drawing, what it names.
 */
import type { Person } from '../../fixtures/company.js';
import type { ActionKind } from '../../fixtures/catalogues/instaclustr.js';
import type { components } from '../../openapi/generated/instaclustr.js';
import type { Rng } from '../core/rng.js';
import { iso } from '../core/time.js';
import type { FactsTable, Span } from './facts.js';
import type { Actor, DayScene, Target } from './targets.js';
import type { Account, User } from './world.js';

type UserAction = components['schemas']['UserAction'];

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** One day being generated: the scene targets are picked in, and the records so far. */
export interface Day extends DayScene {
  day: number;
  /** Last millisecond of the day: records never spill into the next bucket. */
  last: number;
  /** The seed's own stream, whose history predates volumes: it draws as it always has (see `detail`). */
  legacy: boolean;
  /** Draws for whether, what, who and when: everything a count of the day depends on. */
  rng: Rng;
  /** What the day keeps of each record. */
  keep: Keep;
  /**
   * Whether nothing a record names is drawn: a day counted in a stream with a detail generator of
   * its own. The seed's own stream draws names and decisions from one generator, so counting it
   * draws every name as generating does, and writes none.
   */
  nameless: boolean;
}

/**
 * A day's records in full, or (while the day is only counted, see countDay) a count per facts
 * number of the table, of the records timed within `span` ([first, last] ms) when there is one.
 */
export type Keep = { records: UserAction[] } | { counts: number[]; table: FactsTable; span?: Span };

export const nameless = (d: Day): boolean => d.nameless;

const mod = (n: number, m: number) => ((n % m) + m) % m;

// A template split once into its text (even places) and its words (odd places).
const templates = new Map<string, string[]>();

function fill(template: string, vars: Record<string, string>): string {
  let parts = templates.get(template);
  if (!parts) templates.set(template, (parts = template.split(/\{(\w+)\}/)));
  let s = parts[0];
  for (let i = 1; i < parts.length; i += 2) s += (vars[parts[i]] ?? parts[i]) + parts[i + 1];
  return s;
}

/** A time within the person's working hours on the UTC day starting at `from`. */
export function workTime(rng: Rng, person: Person | undefined, from: number): number {
  if (!person) return from + rng.int(0, DAY - 1);
  const localHour = person.workStart + rng.next() * (person.workEnd - person.workStart - 0.5);
  return from + mod(Math.floor((localHour - person.utcOffset) * HOUR), DAY);
}

export const asActor = (u: User): Actor => ({ userName: u.userName, userId: u.userId, support: false, person: u.person });

export function record(d: Day, t: number, a: ActionKind, actor: Actor, account: Account | null, target: Target): void {
  const accountId = a.org ? null : (account?.accountId ?? null);
  const organisationId = a.org ? d.world.organisationId : (account?.organisationId ?? null);
  const keep = d.keep;
  // Records never spill out of their day; a time is kept to the millisecond, as its timestamp is.
  const at = Math.min(Math.max(t, d.from), d.last);
  if (!('records' in keep)) {
    if (!d.nameless) d.detail.skipUuid();
    if (keep.span && (Math.floor(at) < keep.span[0] || Math.floor(at) > keep.span[1])) return;
    const n = keep.table.numberOf(a, accountId, organisationId, a.org || !account ? -1 : account.index);
    keep.counts[n] = (keep.counts[n] ?? 0) + 1;
    return;
  }
  keep.records.push({
    id: d.detail.uuid(),
    action: a.kind,
    crudOperation: a.crud,
    domainType: a.domainType,
    domainId: target.domainId,
    domainName: target.domainName,
    description: fill(a.template, target.vars),
    timestamp: iso(at),
    userName: actor.userName,
    userId: actor.userId,
    accountId,
    organisationId,
    performedByInstaclustrSupport: actor.support,
  });
}

export const UNNAMED: Target = Object.freeze({ domainId: null, domainName: null, vars: {} });

/** A target as `make` names it; on a nameless day, none (nothing is drawn or read for it). */
export const named = (d: Day, make: () => Target): Target => (nameless(d) ? UNNAMED : make());
