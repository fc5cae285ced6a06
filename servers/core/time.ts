const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function valid(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

export interface ParseTimeOptions {
  /** `2024-07-01` means 00:00:00Z of that day. */
  dateOnly?: boolean;
  /** `2024-07-01T10:00:00` without an offset is read as UTC. */
  localAsUtc?: boolean;
}

/**
 * Strict RFC 3339 (with `Z` or a numeric offset, fractional seconds of any length), and optionally
 * date-only or offset-less forms. Returns ms since epoch, or null for anything else.
 */
export function parseTime(s: string, opts: ParseTimeOptions = {}): number | null {
  let m = RFC3339.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec, frac, zone] = m;
    if (!valid(+y, +mo, +d, +h, +mi, +sec)) return null;
    if (zone !== 'Z' && zone !== 'z') {
      const [oh, om] = zone.slice(1).split(':').map(Number);
      if (oh > 23 || om > 59) return null;
    }
    const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
    const base = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec === '60' ? '59' : sec}${zone.toUpperCase()}`);
    return Number.isFinite(base) ? base + ms : null;
  }
  if (opts.localAsUtc && (m = LOCAL.exec(s))) {
    const [, y, mo, d, h, mi, sec = '00', frac] = m;
    if (!valid(+y, +mo, +d, +h, +mi, +sec)) return null;
    return Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec) + (frac ? Math.floor(Number(`0${frac}`) * 1000) : 0);
  }
  if (opts.dateOnly && (m = DATE.exec(s))) {
    const [, y, mo, d] = m;
    if (!valid(+y, +mo, +d)) return null;
    return Date.UTC(+y, +mo - 1, +d);
  }
  return null;
}

/** `2024-07-21T23:10:11.982Z` */
export function iso(ms: number): string {
  // Generated history formats hundreds of thousands of times a day bucket apart: the date part is
  // formatted once per day, the time of day by hand; years outside 0000-9999 take Date's own path.
  if (!Number.isInteger(ms) || ms < 0 || ms >= MAX_FOUR_DIGIT_YEAR) return new Date(ms).toISOString();
  const day = Math.floor(ms / 86_400_000);
  if (day !== isoDay) {
    isoDay = day;
    isoPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  const t = ms - day * 86_400_000;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor(t / 60_000) % 60;
  const s = Math.floor(t / 1000) % 60;
  const f = t % 1000;
  return `${isoPrefix}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${s < 10 ? '0' : ''}${s}.${f < 10 ? '00' : f < 100 ? '0' : ''}${f}Z`;
}

const MAX_FOUR_DIGIT_YEAR = 253_402_300_800_000;
let isoDay = NaN;
let isoPrefix = '';

/** `2024-07-21T23:10:11Z` (whole seconds) */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
