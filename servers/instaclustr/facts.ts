/**
 * Counting without records: what a total or an action count reads of a user action (its facts),
 * a day's facts as a histogram, and tallies of a histogram under a filter. A day's facts are a few
 * distinct values repeated; the histogram keeps each once, so any filter over a year of a large
 * history tests a few thousand values instead of every record.
 */
import type { ActionKind } from '../../fixtures/catalogues/instaclustr.js';
import type { Entry } from '../core/store.js';
import type { components } from '../../openapi/generated/instaclustr.js';

type UserAction = components['schemas']['UserAction'];

/** What counting reads of a user action: it names no one and nothing. */
export type ActionFacts = Pick<UserAction, 'action' | 'crudOperation' | 'accountId' | 'organisationId'>;

/**
 * One object per distinct facts value, so that histograms count by identity; each numbered too,
 * so that a day being counted keeps a count per number.
 */
export class FactsTable {
  private readonly byAccount = new Map<string | null, Map<string | null, Map<string, ActionFacts>>>();
  private readonly values: ActionFacts[] = [];
  private readonly numbers = new Map<ActionFacts, number>();
  /** The numbers last found per kind and account place (see `numberOf`). */
  private readonly byKind = new Map<ActionKind, Array<number | undefined>>();

  /**
   * The number of the facts of a record of kind `a` in an account (its `index`; -1 for none) or,
   * for an organisation kind, of the organisation: what counting asks for per record, so kept by
   * the kind object and a place first. A place's value is checked, so worlds whose accounts share
   * places but not ids only look it up again.
   */
  numberOf(a: ActionKind, accountId: string | null, organisationId: string | null, place: number): number {
    let places = this.byKind.get(a);
    if (!places) this.byKind.set(a, (places = []));
    const n = places[place + 1];
    if (n !== undefined && this.values[n].accountId === accountId && this.values[n].organisationId === organisationId) return n;
    const f = this.of(a.kind, a.crud, accountId, organisationId);
    let m = this.numbers.get(f);
    if (m === undefined) this.numbers.set(f, (m = this.values.push(f) - 1));
    return (places[place + 1] = m);
  }

  /** The histogram of counts kept by number. */
  histogramOf(counts: readonly number[]): Histogram {
    const h: Histogram = new Map();
    counts.forEach((n, i) => n > 0 && h.set(this.values[i], n));
    return h;
  }

  of(action: ActionFacts['action'], crudOperation: ActionFacts['crudOperation'], accountId: string | null, organisationId: string | null): ActionFacts {
    let byOrganisation = this.byAccount.get(accountId);
    if (!byOrganisation) this.byAccount.set(accountId, (byOrganisation = new Map()));
    let byAction = byOrganisation.get(organisationId);
    if (!byAction) byOrganisation.set(organisationId, (byAction = new Map()));
    let facts = byAction.get(action);
    if (!facts) byAction.set(action, (facts = Object.freeze<ActionFacts>({ action, crudOperation, accountId, organisationId })));
    return facts;
  }
}

/** How many records have each facts value. */
export type Histogram = Map<ActionFacts, number>;

/** A day's generated histogram with inserted records (each its own value) added; the generated one itself when none is. */
export function withInserted(generated: Histogram, inserted: readonly Entry<UserAction>[]): Histogram {
  if (!inserted.length) return generated;
  const h = new Map(generated);
  for (const e of inserted) h.set(e.rec, 1);
  return h;
}

/** A part of a day: its first and last millisecond. */
export type Span = readonly [number, number];

/** A day to count: a whole bucket, or the part of one within `span`. */
export interface DayPart {
  bucket: number;
  span?: Span;
}

/** Counts generated days into `counts` (one count per facts number for each of `days`). */
export type CountDays = (days: readonly DayPart[], counts: number[][]) => void;

/** Parts of days remembered: a window's first day is cut where the window starts, which moves with the clock. */
const PARTS = 16;

const partKey = (p: DayPart) => `${p.bucket}:${p.span?.[0]}:${p.span?.[1]}`;

/**
 * Days' generated histograms, the days asked for together counted together: the counter can then
 * go stream by stream over all of them, a stream's people and lifetimes staying at hand across its
 * days. Generated history does not change, so a day is counted once while remembered; at most
 * `capacity` days are (and a few parts of days), the oldest counted forgotten first, and a
 * forgotten day is counted again identically.
 */
export class DayHistograms {
  private readonly days = new Map<number, Histogram>();
  private readonly parts = new Map<string, Histogram>();

  constructor(
    private readonly table: FactsTable,
    private readonly countDays: CountDays,
    private readonly capacity = 1024,
  ) {}

  /** Counts those of `buckets`, and `part` if given, not counted yet, in one go (the part first: a window's is its oldest). */
  prepare(buckets: readonly number[], part?: Required<DayPart>): void {
    const todo: DayPart[] = part && !this.parts.has(partKey(part)) ? [part] : [];
    for (const b of buckets) if (!this.days.has(b)) todo.push({ bucket: b });
    if (!todo.length) return;
    const counts = todo.map((): number[] => []);
    this.countDays(todo, counts);
    todo.forEach((d, i) => {
      const h = this.table.histogramOf(counts[i]);
      if (d.span) keep(this.parts, partKey(d), h, PARTS);
      else keep(this.days, d.bucket, h, this.capacity);
    });
  }

  /** The histogram of the day's generated records timed within [first, last] (not to be changed). */
  partOf(bucket: number, first: number, last: number): Histogram {
    const part = { bucket, span: [first, last] as const };
    this.prepare([], part);
    return this.parts.get(partKey(part))!;
  }

  /** The day's generated histogram (not to be changed: see withInserted). */
  of(bucket: number): Histogram {
    this.prepare([bucket]);
    return this.days.get(bucket)!;
  }
}

/** Adds to a bounded map, forgetting the oldest entry when full. */
function keep<K>(map: Map<K, Histogram>, key: K, h: Histogram, capacity: number): void {
  if (map.size >= capacity) map.delete(map.keys().next().value!);
  map.set(key, h);
}

/** A count and a count per action. */
export interface Tally {
  n: number;
  counts: Map<string, number>;
}

export const newTally = (): Tally => ({ n: 0, counts: new Map() });

export function addToTally(t: Tally, action: string, n = 1): void {
  t.n += n;
  t.counts.set(action, (t.counts.get(action) ?? 0) + n);
}

/** The tally of the records in `h` whose facts pass `filter`. */
export function tallyOf(h: Histogram, filter: (f: ActionFacts) => boolean): Tally {
  const t = newTally();
  for (const [f, n] of h) if (filter(f)) addToTally(t, f.action, n);
  return t;
}
