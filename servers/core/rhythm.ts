import type { Person } from './company.js';
import type { Rng } from './rng.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface Session {
  person: Person;
  /** Start of the session, ms since epoch. */
  start: number;
  /** True when it falls outside the person's working hours (rare, realistic noise). */
  offHours: boolean;
}

/**
 * Sessions of work for the people in a UTC day: weekdays in each person's own time zone, within
 * their working hours, at `perDay` sessions on average scaled by each person's activity; a small
 * share lands in the evening or at weekends. Vendors turn each session into related actions.
 */
export function daySessions(rng: Rng, people: readonly Person[], dayStart: number, perDay: number): Session[] {
  const out: Session[] = [];
  for (const person of people) {
    const offsetMs = person.utcOffset * HOUR;
    // The local calendar days that overlap this UTC day; for a person on UTC, the same day twice.
    const first = Math.floor((dayStart + offsetMs) / DAY);
    const second = Math.floor((dayStart + offsetMs + DAY - 1) / DAY);
    for (let pass = 0; pass < 2; pass++) {
      const localDay = pass === 0 ? first : second;
      // Day 0 (1 January 1970) was a Thursday.
      const weekday = (((localDay + 4) % 7) + 7) % 7;
      const weekend = weekday === 0 || weekday === 6;
      const mean = perDay * person.activity * (weekend ? 0.04 : 1);
      const n = rng.poisson(mean / 2);
      for (let i = 0; i < n; i++) {
        const off = rng.chance(0.04);
        const hour = off ? rng.int(person.workEnd, person.workEnd + 4) : person.workStart + rng.next() * (person.workEnd - person.workStart);
        const start = localDay * DAY - offsetMs + hour * HOUR + rng.int(0, 59) * 60_000 + rng.int(0, 59_999);
        if (start >= dayStart && start < dayStart + DAY) out.push({ person, start, offHours: off || weekend });
      }
    }
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}

/** `n` timestamps after `start`, spaced like a person clicking through related actions. */
export function sessionTimes(rng: Rng, start: number, n: number, gapMs: [number, number] = [4_000, 180_000]): number[] {
  const times: number[] = [];
  let t = start;
  for (let i = 0; i < n; i++) {
    times.push(t);
    t += rng.int(gapMs[0], gapMs[1]);
  }
  return times;
}
