import { parseTime } from './time.js';

/**
 * The one source of "now" for data: real time plus an offset, or frozen at an instant.
 * Signature freshness checks deliberately do NOT use this (clients sign with their real clock).
 */
export interface ClockState {
  now: string;
  frozen: boolean;
  offsetMs: number;
}

/** The range every vendor can render: four-digit years, from the Unix epoch to the end of 9999. */
export const CLOCK_MIN = 0;
export const CLOCK_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** The largest single move of the clock: a hundred years. */
export const MAX_ADVANCE_MS = 100 * 365.25 * 86_400_000;

export function inClockRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= CLOCK_MIN && ms <= CLOCK_MAX;
}

/** A change to the clock, as the control API and the programmatic API take it. */
export interface ClockChange {
  set?: string | number;
  advance?: string | number;
  frozen?: boolean;
}

/**
 * Where a change would put the clock, checked whole before anything is applied: an instant
 * outside the renderable range or a malformed value is a RangeError naming the field.
 */
export function planClock(current: { now: number; frozen: boolean }, change: ClockChange): { now: number; frozen: boolean } {
  let now = current.now;
  if (change.set !== undefined) now = parseInstant(change.set, 'set');
  if (change.advance !== undefined) {
    const ms = parseDuration(change.advance);
    if (ms === null || Math.abs(ms) > MAX_ADVANCE_MS) {
      throw new RangeError(`field 'advance' must be an ISO-8601 duration or a number of seconds, at most 100 years: ${String(change.advance)}`);
    }
    now += ms;
  }
  if (!inClockRange(now)) throw new RangeError(`the clock would leave the range 1970-01-01T00:00:00Z..9999-12-31T23:59:59.999Z`);
  return { now, frozen: change.frozen ?? current.frozen };
}

/** An RFC 3339 instant with a four-digit year and a zone, or ms since the epoch, within the clock's range. */
export function parseInstant(v: string | number, field = 'now'): number {
  const ms = typeof v === 'number' ? v : parseTime(v);
  if (ms === null || !inClockRange(ms)) {
    throw new RangeError(`field '${field}' must be an RFC 3339 instant between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z: ${String(v)}`);
  }
  return ms;
}

export class Clock {
  private offset = 0;
  private frozenAt: number | null = null;
  private listeners = new Set<(now: number) => void>();

  constructor(private readonly initial: { now?: number; frozen?: boolean } = {}) {
    this.restore();
  }

  /** Back to the settings the emulator was started with. */
  restore(): void {
    this.offset = 0;
    this.frozenAt = null;
    if (this.initial.now !== undefined) {
      if (this.initial.frozen ?? true) this.frozenAt = this.initial.now;
      else this.offset = this.initial.now - Date.now();
    }
    this.emit();
  }

  now(): number {
    return this.frozenAt ?? Date.now() + this.offset;
  }

  get frozen(): boolean {
    return this.frozenAt !== null;
  }

  set(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt = ms;
    else this.offset = ms - Date.now();
    this.emit();
  }

  advance(ms: number): void {
    this.set(this.now() + ms);
  }

  /** Apply a planned change (see planClock) in one step. */
  apply(plan: { now: number; frozen: boolean }): void {
    // One change, one notification: listeners never see the intermediate state.
    if (plan.frozen) this.frozenAt = plan.now;
    else {
      this.frozenAt = null;
      this.offset = plan.now - Date.now();
    }
    this.emit();
  }

  freeze(on: boolean): void {
    if (on && this.frozenAt === null) this.frozenAt = this.now();
    else if (!on && this.frozenAt !== null) {
      this.offset = this.frozenAt - Date.now();
      this.frozenAt = null;
    }
    this.emit();
  }

  state(): ClockState {
    return { now: new Date(this.now()).toISOString(), frozen: this.frozen, offsetMs: this.frozen ? 0 : this.offset };
  }

  /** Settings that survive a restart: a frozen instant, or the offset from real time. */
  snapshot(): { frozenAt: number | null; offset: number } {
    return { frozenAt: this.frozenAt, offset: this.offset };
  }

  /** Settings from a state file; refused (RangeError) when they would put the clock out of range. */
  load(s: { frozenAt: number | null; offset: number }): void {
    const okFrozen = s.frozenAt === null || inClockRange(s.frozenAt);
    if (!okFrozen || !Number.isFinite(s.offset) || !inClockRange((s.frozenAt ?? Date.now()) + (s.frozenAt === null ? s.offset : 0))) {
      throw new RangeError('clock settings out of range');
    }
    this.frozenAt = s.frozenAt;
    this.offset = s.offset;
    this.emit();
  }

  onChange(fn: (now: number) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    const now = this.now();
    for (const fn of this.listeners) fn(now);
  }
}

const DURATION = /^([+-])?P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** ISO-8601 duration (weeks, days, hours, minutes, seconds) or a number of seconds, to milliseconds. */
export function parseDuration(input: unknown): number | null {
  if (typeof input === 'number') return Number.isFinite(input) ? Math.round(input * 1000) : null;
  if (typeof input !== 'string') return null;
  if (/^[+-]?\d{1,12}(\.\d+)?$/.test(input.trim())) return Math.round(Number(input) * 1000);
  const m = DURATION.exec(input.trim());
  if (!m || input.endsWith('T') || input.trim().replace(/^[+-]/, '') === 'P') return null;
  const [, sign, w, d, h, min, s] = m;
  const secs = Number(w ?? 0) * 604800 + Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
  return Math.round(secs * 1000) * (sign === '-' ? -1 : 1);
}
