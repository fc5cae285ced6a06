import { describe, expect, it } from 'vitest';
import { buildCompany, colleagues } from '../../fixtures/company.js';
import { Rng, hashSeed } from '../../servers/core/rng.js';
import { streamsOf } from '../../servers/core/volume.js';
import { countDay, generateDay, type UserAction } from '../../servers/instaclustr/events.js';
import { ACTION_BY_KIND } from '../../fixtures/catalogues/instaclustr.js';
import { DayHistograms, FactsTable, tallyOf, withInserted, type ActionFacts, type Histogram } from '../../servers/instaclustr/facts.js';
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
/** How many records have each facts value, by value (not by object). */
function byValue(counted: Iterable<[ActionFacts, number]>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [f, n] of counted) out.set(value(f), (out.get(value(f)) ?? 0) + n);
  return out;
}
const counted = (s: ReturnType<typeof streams>, k: number, d: number, table: FactsTable, counts: number[] = []) => {
  countDay(s.world(k), d * DAY, (d + 1) * DAY, d, table, counts);
  return table.histogramOf(counts);
};

describe('counting a day from facts counts its records', () => {
  it('every stream (the seed own, played in full, and the others, played without details) gives the facts of its records', () => {
    const s = streams(4);
    const table = new FactsTable();
    let records = 0;
    for (let k = 0; k < 4; k++) {
      for (let d = FIRST; d < FIRST + 150; d++) {
        const full = generateDay(s.world(k), d * DAY, (d + 1) * DAY, d);
        records += full.length;
        const h = counted(s, k, d, table);
        expect(byValue(h), `stream ${k}, day ${d}`).toEqual(byValue(full.map((r) => [r, 1])));
      }
    }
    expect(records).toBeGreaterThan(10_000);
  });

  it('equal facts are one object, so a day histogram has a few entries', () => {
    const s = streams(20);
    const table = new FactsTable();
    const counts: number[] = [];
    for (let k = 0; k < 20; k++) countDay(s.world(k), FIRST * DAY, (FIRST + 1) * DAY, FIRST, table, counts);
    const h = table.histogramOf(counts);
    const records = s.generate((w) => generateDay(w, FIRST * DAY, (FIRST + 1) * DAY, FIRST)).length;
    expect(records).toBeGreaterThan(300);
    expect(h.size).toBeLessThan(records / 3);
    expect([...h.values()].reduce((a, b) => a + b, 0)).toBe(records);
  });

  it('a tally counts inserted records one by one with the generated ones, per action', () => {
    const table = new FactsTable();
    const login = table.of('USER_LOGIN', 'READ', 'acc', 'org');
    const inserted = { action: 'USER_LOGIN', crudOperation: 'UPDATE', accountId: 'acc', organisationId: 'org' } as UserAction;
    expect(table.of('USER_LOGIN', 'READ', 'acc', 'org')).toBe(login);
    const generated: Histogram = new Map([[login, 3]]);
    const h = withInserted(generated, [{ ts: 0, seq: 1, rec: inserted }]);
    expect(tallyOf(h, () => true)).toEqual({ n: 4, counts: new Map([['USER_LOGIN', 4]]) });
    expect(tallyOf(h, (f) => f.crudOperation === 'READ')).toEqual({ n: 3, counts: new Map([['USER_LOGIN', 3]]) });
  });

  it('a number stands for one facts value, also where accounts of two worlds share a place', () => {
    const table = new FactsTable();
    const login = ACTION_BY_KIND.get('USER_LOGIN')!;
    const here = table.numberOf(login, 'acc-1', 'org', 0);
    expect(table.numberOf(login, 'acc-1', 'org', 0)).toBe(here);
    const there = table.numberOf(login, 'acc-2', 'org', 0);
    expect(there).not.toBe(here);
    expect(table.numberOf(login, 'acc-1', 'org', 0)).toBe(here);
    const counts: number[] = [];
    counts[here] = 2;
    counts[there] = 1;
    expect(byValue(table.histogramOf(counts))).toEqual(
      new Map([
        [value(table.of('USER_LOGIN', 'READ', 'acc-1', 'org')), 2],
        [value(table.of('USER_LOGIN', 'READ', 'acc-2', 'org')), 1],
      ]),
    );
  });

  it('days asked for together are counted together, once while remembered, and again identically once forgotten', () => {
    const s = streams(3);
    const table = new FactsTable();
    const asked: number[][] = [];
    const days = new DayHistograms(
      table,
      (parts, counts) => {
        asked.push(parts.map((p) => p.bucket));
        for (let k = 0; k < s.volume; k++) parts.forEach(({ bucket: b, span }, i) => countDay(s.world(k), b * DAY, (b + 1) * DAY, b, table, counts[i], span));
      },
      4,
    );
    const week = [FIRST, FIRST + 1, FIRST + 2];
    days.prepare(week);
    days.prepare([FIRST + 1, FIRST + 3]);
    expect(asked).toEqual([week, [FIRST + 3]]);
    const first = byValue(days.of(FIRST));
    const records = s.generate((w) => generateDay(w, FIRST * DAY, (FIRST + 1) * DAY, FIRST));
    expect(first).toEqual(byValue(records.map((r) => [r, 1])));
    // A fifth day pushes the first out: asked for again, it is counted again, to the same values.
    days.prepare([FIRST + 4]);
    expect(byValue(days.of(FIRST))).toEqual(first);
    expect(asked.at(-1)).toEqual([FIRST]);
    // The part of a day a window starts in is counted with its days, first, and not again when asked for.
    const day = FIRST - 1;
    const span = [day * DAY + 9 * 3_600_000, (day + 1) * DAY - 1] as const;
    days.prepare([FIRST + 5], { bucket: day, span });
    expect(asked.at(-1)).toEqual([day, FIRST + 5]);
    const part = byValue(days.partOf(day, ...span));
    expect(asked.at(-1)).toEqual([day, FIRST + 5]);
    const inSpan = s.generate((w) => generateDay(w, day * DAY, (day + 1) * DAY, day)).filter((r) => Date.parse(r.timestamp) >= span[0]);
    expect(inSpan.length).toBeGreaterThan(0);
    expect(part).toEqual(byValue(inSpan.map((r) => [r, 1])));
  });

  it('inserted records are added to a copy: the remembered generated histogram stays as counted', () => {
    const table = new FactsTable();
    const login = table.of('USER_LOGIN', 'READ', 'acc', 'org');
    const generated: Histogram = new Map([[login, 2]]);
    const inserted = { action: 'USER_LOGIN', crudOperation: 'READ', accountId: 'acc', organisationId: 'org' } as UserAction;
    expect(withInserted(generated, [])).toBe(generated);
    expect(tallyOf(withInserted(generated, [{ ts: 0, seq: 1, rec: inserted }]), () => true).n).toBe(3);
    expect(tallyOf(generated, () => true).n).toBe(2);
  });
});
