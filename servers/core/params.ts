/**
 * Query parameters as a vendor reads them: repeated keys merged in order, comma lists split,
 * empty pieces dropped. Built from decoded pairs so a vendor that parses its raw query itself
 * (for signatures) reads the very same values.
 */
export class Params {
  private map = new Map<string, string[]>();

  constructor(pairs: Iterable<[string, string]>) {
    for (const [k, v] of pairs) {
      const list = this.map.get(k);
      if (list) list.push(v);
      else this.map.set(k, [v]);
    }
  }

  static fromUrl(url: string): Params {
    return new Params(new URL(url).searchParams);
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  /** Every raw value given for the key, in order. */
  all(name: string): string[] {
    return this.map.get(name) ?? [];
  }

  /** The first value, or undefined; an empty string counts as absent. */
  one(name: string): string | undefined {
    const v = this.map.get(name)?.[0];
    return v === undefined || v === '' ? undefined : v;
  }

  /** All values of the key split on commas, trimmed, empty pieces dropped; undefined when absent. */
  list(name: string): string[] | undefined {
    const raw = this.map.get(name);
    if (!raw) return undefined;
    const out: string[] = [];
    for (const v of raw) for (const piece of v.split(',')) if (piece.trim() !== '') out.push(piece.trim());
    return out.length ? out : undefined;
  }

  /** Everything except the named keys, for hashing the filters a page token is bound to. */
  without(...names: string[]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [k, v] of this.map) if (!names.includes(k)) out[k] = v;
    return out;
  }
}
