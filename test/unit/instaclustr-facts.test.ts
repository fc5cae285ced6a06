import { describe, expect, it } from 'vitest';
import { buildCompany, colleagues } from '../../fixtures/company.js';
import { Rng, hashSeed } from '../../servers/core/rng.js';
import { streamsOf } from '../../servers/core/volume.js';
import { dayFacts, generateDay, type UserAction } from '../../servers/instaclustr/events.js';
import { FactsTable, histogramOf, tallyOf, type ActionFacts } from '../../servers/instaclustr/facts.js';
import { buildWorld, streamWorld } from '../../servers/instaclustr/world.js';

const DAY = 86_400_000;
// A Tuesday: weekends are quiet.
const FIRST = Math.floor(Date.parse('2025-06-03T00:00:00Z') / DAY);
const SEED = 20240721;

function streams(volume: number) {
  const company = buildCompany(SEED);
  const base = buildWorld(SEED, company, new Rng(hashSeed(SEED, 'instaclustr', 'world')), {});
  return streamsOf({ id: 'instaclustr', seed: SEED, settings: { volume, faults: [] } }, base, (k, seed, rng) =>
    streamWorld(base, colleagues(company, seed, k), seed, rng, k),
  );
}

const value = (f: ActionFacts) => `${f.action}|${f.crudOperation}|${f.accountId}|${f.organisationId}`;
const sortedValues = (list: readonly ActionFacts[]) => list.map(value).sort();

describe('counting a day from facts counts its records', () => {
  it('every stream (the seed own, played in full, and the others, played without details) gives the facts of its records', () => {
    const s = streams(4);
    const table = new FactsTable();
    let records = 0;
    for (let k = 0; k < 4; k++) {
      for (let d = FIRST; d < FIRST + 150; d++) {
        const full = generateDay(s.world(k), d * DAY, (d + 1) * DAY, d);
        records += full.length;
        expect(sortedValues(dayFacts(s.world(k), d * DAY, (d + 1) * DAY, d, table)), `stream ${k}, day ${d}`).toEqual(sortedValues(full));
      }
    }
    expect(records).toBeGreaterThan(10_000);
  });

  it('equal facts are one object, so a day histogram has a few entries', () => {
    const s = streams(20);
    const table = new FactsTable();
    const facts = s.generate((w) => dayFacts(w, FIRST * DAY, (FIRST + 1) * DAY, FIRST, table));
    const h = histogramOf(facts, []);
    expect(facts.length).toBeGreaterThan(300);
    expect(h.size).toBeLessThan(facts.length / 3);
    expect([...h.values()].reduce((a, b) => a + b, 0)).toBe(facts.length);
  });

  it('a tally counts inserted records one by one with the generated ones, per action', () => {
    const table = new FactsTable();
    const login = table.of('USER_LOGIN', 'READ', 'acc', 'org');
    const inserted = { action: 'USER_LOGIN', crudOperation: 'UPDATE', accountId: 'acc', organisationId: 'org' } as UserAction;
    const h = histogramOf([login, login, table.of('USER_LOGIN', 'READ', 'acc', 'org')], [{ ts: 0, seq: 1, rec: inserted }]);
    expect(table.of('USER_LOGIN', 'READ', 'acc', 'org')).toBe(login);
    expect(tallyOf(h, () => true)).toEqual({ n: 4, counts: new Map([['USER_LOGIN', 4]]) });
    expect(tallyOf(h, (f) => f.crudOperation === 'READ')).toEqual({ n: 3, counts: new Map([['USER_LOGIN', 3]]) });
  });
});
