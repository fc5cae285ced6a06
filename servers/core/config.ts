/**
 * Reading `<vendor>.<setting>` switches from the config file or `--set`: a value of the wrong type
 * falls back to the default; an out-of-range number falls back too, or is clamped when asked.
 */
export function numberSwitch(v: unknown, dflt: number, range: { min?: number; max?: number; clamp?: boolean } = {}): number {
  const min = range.min ?? -Infinity;
  const max = range.max ?? Infinity;
  if (typeof v !== 'number' || !Number.isFinite(v)) return dflt;
  if (range.clamp) return Math.min(max, Math.max(min, v));
  return v >= min && v <= max ? v : dflt;
}

export function stringSwitch(v: unknown, dflt: string): string {
  return typeof v === 'string' && v ? v : dflt;
}

/** A list of non-empty strings (user names, regions, roles): other items are ignored; not a list gives the default. */
export function listSwitch(v: unknown): string[];
export function listSwitch<D>(v: unknown, dflt: D): string[] | D;
export function listSwitch(v: unknown, dflt: unknown = []): unknown {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : dflt;
}
