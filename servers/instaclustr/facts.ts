/**
 * Counting without records: what a total or an action count reads of a user action (its facts),
 * a day's facts as a histogram, and tallies of a histogram under a filter. A day's facts are a few
 * distinct values repeated; the histogram keeps each once, so any filter over a year of a large
 * history tests a few thousand values instead of every record.
 */
import type { Entry } from '../core/store.js';
import type { components } from '../../openapi/generated/instaclustr.js';

type UserAction = components['schemas']['UserAction'];

/** What counting reads of a user action: it names no one and nothing. */
export type ActionFacts = Pick<UserAction, 'action' | 'crudOperation' | 'accountId' | 'organisationId'>;

/** One object per distinct facts value, so that histograms count by identity. */
export class FactsTable {
  private readonly byAccount = new Map<string | null, Map<string | null, Map<string, ActionFacts>>>();

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

/** Generated facts (from the table) and inserted records (each its own value) counted together. */
export function histogramOf(generated: readonly ActionFacts[], inserted: readonly Entry<UserAction>[]): Histogram {
  const h: Histogram = new Map();
  for (const f of generated) h.set(f, (h.get(f) ?? 0) + 1);
  for (const e of inserted) h.set(e.rec, 1);
  return h;
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
