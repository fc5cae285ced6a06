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

/** One object per distinct facts value, so that histograms count by identity. */
export class FactsTable {
  private readonly byAccount = new Map<string | null, Map<string | null, Map<string, ActionFacts>>>();
  /** The values last found per kind and account place (see `ofKind`). */
  private readonly byKind = new Map<ActionKind, Array<ActionFacts | undefined>>();

  /**
   * The facts of a record of kind `a` in an account (its `index`; -1 for none) or, for an
   * organisation kind, of the organisation: what counting asks for per record, so kept by the kind
   * object and a place first. A place's value is checked, so worlds whose accounts share places
   * but not ids only look it up again.
   */
  ofKind(a: ActionKind, accountId: string | null, organisationId: string | null, place: number): ActionFacts {
    let places = this.byKind.get(a);
    if (!places) this.byKind.set(a, (places = []));
    const f = places[place + 1];
    if (f && f.accountId === accountId && f.organisationId === organisationId) return f;
    return (places[place + 1] = this.of(a.kind, a.crud, accountId, organisationId));
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

export const countFacts = (h: Histogram, f: ActionFacts): void => void h.set(f, (h.get(f) ?? 0) + 1);

/** A histogram of generated facts (from the table) with inserted records (each its own value) added. */
export function withInserted(generated: Histogram, inserted: readonly Entry<UserAction>[]): Histogram {
  for (const e of inserted) generated.set(e.rec, 1);
  return generated;
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
