import { describe, expect, it } from 'vitest';
import { buildCompany } from '../../fixtures/company.js';
import { Crowd, daySessions } from '../../servers/core/rhythm.js';
import { Rng, WeightedTable } from '../../servers/core/rng.js';

const DAY = 86_400_000;
const FIRST = Math.floor(Date.parse('2025-01-06T00:00:00Z') / DAY);

describe('a crowd draws the sessions daySessions would, in distribution', () => {
  const people = buildCompany(20240721).people;
  const crowd = new Crowd(people, 1.2);

  /** Sessions per person over 400 days, and how many fell outside working hours. */
  function tally(draw: (rng: Rng, dayStart: number) => ReturnType<typeof daySessions>) {
    const rng = new Rng(99);
    const perPerson = new Map<string, number>();
    let total = 0;
    let offHours = 0;
    for (let d = FIRST; d < FIRST + 400; d++) {
      for (const s of draw(rng, d * DAY)) {
        expect(s.start).toBeGreaterThanOrEqual(d * DAY);
        expect(s.start).toBeLessThan((d + 1) * DAY);
        perPerson.set(s.person.email, (perPerson.get(s.person.email) ?? 0) + 1);
        total++;
        if (s.offHours) offHours++;
      }
    }
    return { perPerson, total, offHours };
  }

  it('the same number of sessions, shared among the people alike, as many off hours', () => {
    const one = tally((rng, at) => daySessions(rng, people, at, 1.2));
    const many = tally((rng, at) => crowd.sessions(rng, at));
    expect(one.total).toBeGreaterThan(5_000);
    expect(Math.abs(many.total - one.total) / one.total).toBeLessThan(0.05);
    expect(Math.abs(many.offHours - one.offHours) / one.offHours).toBeLessThan(0.2);
    for (const p of people) {
      const a = one.perPerson.get(p.email) ?? 0;
      const b = many.perPerson.get(p.email) ?? 0;
      // Within five standard deviations of a Poisson count.
      expect(Math.abs(a - b), p.email).toBeLessThan(5 * Math.sqrt(Math.max(a, 25)) * Math.SQRT2);
    }
  });

  it('sessions come in time order', () => {
    const rng = new Rng(5);
    for (let d = FIRST; d < FIRST + 30; d++) {
      const starts = crowd.sessions(rng, d * DAY).map((s) => s.start);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    }
  });
});

describe('a weighted table picks in proportion to the weights', () => {
  it('over 100,000 draws', () => {
    const items = [
      { v: 'a', weight: 1 },
      { v: 'b', weight: 0 },
      { v: 'c', weight: 3 },
      { v: 'd', weight: 6 },
    ];
    const table = new WeightedTable(items);
    const rng = new Rng(1);
    const seen = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      const v = table.pick(rng).v;
      seen.set(v, (seen.get(v) ?? 0) + 1);
    }
    expect(seen.get('b')).toBeUndefined();
    expect(Math.abs(seen.get('a')! - 10_000)).toBeLessThan(500);
    expect(Math.abs(seen.get('c')! - 30_000)).toBeLessThan(800);
    expect(Math.abs(seen.get('d')! - 60_000)).toBeLessThan(800);
  });
});
