import type { Person } from './company.js';
import { WeightedTable, type Rng } from './rng.js';

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
    // The local calendar days that overlap this UTC day; for a person on UTC, the same day twice.
    for (const localDay of localDays(person, dayStart)) {
      const mean = perDay * person.activity * (isWeekend(localDay) ? 0.04 : 1);
      const n = rng.poisson(mean / 2);
      for (let i = 0; i < n; i++) drawSession(rng, person, localDay, dayStart, out);
    }
  }
  return byStart(out);
}

/**
 * Sessions ordered by start, ties kept in drawing order (as a stable sort leaves them): by
 * insertion, since a day holds a few dozen and days are drawn by the ten thousand.
 */
function byStart(out: Session[]): Session[] {
  for (let i = 1; i < out.length; i++) {
    const s = out[i];
    let j = i - 1;
    for (; j >= 0 && out[j].start > s.start; j--) out[j + 1] = out[j];
    out[j + 1] = s;
  }
  return out;
}

const localDays = (person: Person, dayStart: number): [number, number] => {
  const offsetMs = person.utcOffset * HOUR;
  return [Math.floor((dayStart + offsetMs) / DAY), Math.floor((dayStart + offsetMs + DAY - 1) / DAY)];
};

// Day 0 (1 January 1970) was a Thursday.
const weekdayOf = (day: number) => (((day + 4) % 7) + 7) % 7;
const isWeekend = (day: number) => weekdayOf(day) === 0 || weekdayOf(day) === 6;

/** One session of `person` on their `localDay`, kept when it starts within the UTC day. */
function drawSession(rng: Rng, person: Person, localDay: number, dayStart: number, out: Session[]): void {
  const off = rng.chance(0.04);
  const hour = off ? rng.int(person.workEnd, person.workEnd + 4) : person.workStart + rng.next() * (person.workEnd - person.workStart);
  const start = localDay * DAY - person.utcOffset * HOUR + hour * HOUR + rng.int(0, 59) * 60_000 + rng.int(0, 59_999);
  if (start >= dayStart && start < dayStart + DAY) out.push({ person, start, offHours: off || isWeekend(localDay) });
}

/** A person's share of a crowd's day: one of their local days, and its mean count of sessions. */
interface Share {
  person: Person;
  /** The local day, counted from the UTC day. */
  shift: number;
  /** The mean count of sessions. */
  weight: number;
}

/**
 * Sessions of many people, the same in distribution as daySessions gives them and far cheaper to
 * draw for a crowd: one Poisson count for everyone, then each session's person and local day in
 * proportion to their means (independent Poisson counts sum to one whose items fall to each part
 * so; a mean above 30 is drawn by the normal approximation, as Rng.poisson does). A seed names
 * other sessions than daySessions draws from it: histories that predate the crowd keep daySessions.
 * `dayStart` is the start of a UTC day.
 */
export class Crowd {
  /** Shares by the weekday of the UTC day: the weekdays of everyone's local days follow from it. */
  private readonly byWeekday: Array<WeightedTable<Share>> = [];

  constructor(
    private readonly people: readonly Person[],
    private readonly perDay: number,
  ) {}

  sessions(rng: Rng, dayStart: number): Session[] {
    const day = Math.floor(dayStart / DAY);
    const shares = (this.byWeekday[weekdayOf(day)] ??= new WeightedTable(this.sharesOf(dayStart)));
    const out: Session[] = [];
    for (let n = rng.poisson(shares.total); n > 0; n--) {
      const share = shares.pick(rng);
      drawSession(rng, share.person, day + share.shift, dayStart, out);
    }
    return byStart(out);
  }

  private sharesOf(dayStart: number): Share[] {
    const day = Math.floor(dayStart / DAY);
    const shares: Share[] = [];
    for (const person of this.people) {
      for (const localDay of localDays(person, dayStart)) {
        const weight = (this.perDay * person.activity * (isWeekend(localDay) ? 0.04 : 1)) / 2;
        shares.push({ person, shift: localDay - day, weight });
      }
    }
    return shares;
  }
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
