import { hash } from 'node:crypto';

/** A 32-bit seed from any parts, stable across runs and platforms. */
export function hashSeed(...parts: Array<string | number>): number {
  // The one-shot digest: history generation seeds a generator per day and stream, and names ids by hash.
  return hash('sha256', parts.join('\u0000'), 'buffer').readUInt32LE(0);
}

/**
 * A 32-bit seed from a seed and a number, by integer mixing (a murmur3 finaliser): for generators
 * made by the ten thousand, where a digest per seed would cost more than what they generate.
 */
export function mixSeed(seed: number, n: number): number {
  let h = (seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const HEX = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
const DASH = 45;
const UUID = new Array<number>(36);

/** A standard normal draw from two uniform ones in [0, 1) (Box–Muller). */
export function standardNormal(uniform: { next(): number }): number {
  const u = Math.max(uniform.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform.next());
}

/**
 * Small, fast, seeded PRNG (sfc32). Faker is used for identities; event volume needs something
 * cheaper per draw, and per-bucket seeding keeps every bucket reproducible on its own.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9 | 0;
    this.b = 0x243f6a88 | 0;
    this.c = 0xb7e15162 | 0;
    this.d = seed | 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  // The state is kept as signed 32-bit integers: the same bits as the unsigned words of sfc32,
  // which the engine would store as doubles, several times slower per draw.
  next(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = (this.d + 1) | 0;
    const t = (((a + b) | 0) + d) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    this.d = d;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Pick by weight: items carry a numeric `weight`. */
  weighted<T extends { weight: number }>(items: readonly T[]): T {
    let total = 0;
    for (const it of items) total += it.weight;
    let r = this.next() * total;
    for (const it of items) {
      r -= it.weight;
      if (r < 0) return it;
    }
    return items[items.length - 1];
  }

  /** Poisson-distributed count (Knuth; fine for the small means used here). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  normal(): number {
    return standardNormal(this);
  }

  hex(len: number): string {
    const codes = new Array<number>(len);
    for (let i = 0; i < len; i++) codes[i] = HEX[Math.floor(this.next() * 16)];
    return String.fromCharCode(...codes);
  }

  /** 32 hex draws laid out as a version-4 UUID: the 13th digit reads 4, the 17th carries the variant. */
  uuid(): string {
    const codes = UUID;
    for (let i = 0, j = 0; i < 32; i++, j++) {
      const v = Math.floor(this.next() * 16);
      if (i === 8 || i === 12 || i === 16 || i === 20) codes[j++] = DASH;
      codes[j] = HEX[i === 12 ? 4 : i === 16 ? (v & 0x3) | 0x8 : v];
    }
    // Made from character codes in one go: a string built a character at a time is a chain of
    // pieces, and ids are kept (incarnations, sessions) by the hundred thousand.
    return String.fromCharCode(...codes);
  }

  /** Advances as uuid() does, without making one: for a record counted but not written. */
  skipUuid(): void {
    for (let i = 0; i < 32; i++) this.next();
  }

  /** Upper-case letters and digits, as access key ids use. */
  alnum(len: number): string {
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    let s = '';
    for (let i = 0; i < len; i++) s += abc[Math.floor(this.next() * abc.length)];
    return s;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
}

/**
 * Items picked by weight with one draw and a binary search over running totals: for lists drawn
 * from by the hundred thousand. The same distribution as Rng.weighted, not the same picks (its
 * running subtraction rounds differently), so histories drawn with that keep it.
 */
export class WeightedTable<T extends { weight: number }> {
  private readonly upTo: number[] = [];
  /** The sum of the weights. */
  readonly total: number = 0;

  constructor(private readonly items: readonly T[]) {
    for (const it of items) this.upTo.push((this.total += it.weight));
  }

  pick(rng: Rng): T {
    const at = rng.next() * this.total;
    let lo = 0;
    let hi = this.items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.upTo[mid] <= at) lo = mid + 1;
      else hi = mid;
    }
    return this.items[lo];
  }
}

/** Draws one credential from a stream (see the core's `StateContext.credentials`). */
export type CredentialDraw = <T>(draw: (r: Rng) => T) => T;
