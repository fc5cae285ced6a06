/**
 * The one source of "now" for data: real time plus an offset, or frozen at an instant.
 * Signature freshness checks deliberately do NOT use this (clients sign with their real clock).
 */
export interface ClockState {
  now: string;
  frozen: boolean;
  offsetMs: number;
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

  load(s: { frozenAt: number | null; offset: number }): void {
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
  if (/^[+-]?\d+(\.\d+)?$/.test(input.trim())) return Math.round(Number(input) * 1000);
  const m = DURATION.exec(input.trim());
  if (!m || input.endsWith('T') || input.trim().replace(/^[+-]/, '') === 'P') return null;
  const [, sign, w, d, h, min, s] = m;
  const secs =
    Number(w ?? 0) * 604800 + Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
  return Math.round(secs * 1000) * (sign === '-' ? -1 : 1);
}
