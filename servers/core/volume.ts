import { Rng, hashSeed } from './rng.js';
import type { CommonSettings } from './settings.js';

/**
 * A vendor's history at a volume. Stream 0 is the history of the seed as it has always been;
 * each further stream is more of the same company: a world of the vendor made from the stream's
 * own seed, with other people (colleagues of the same roles and offices) and their own resources,
 * so that no stream repeats another's entries. Every stream is a function of (seed, vendor,
 * stream), and a bucket's history is the streams' records one after another: the store orders
 * them by time, keeping that order at equal times.
 */
export class Streams<W> {
  private readonly worlds: Array<W | undefined>;
  /** Streams' seeds, asked for on every bucket of every stream: a digest each is not free. */
  private readonly seeds: number[] = [];

  constructor(
    readonly volume: number,
    private readonly seed: number,
    base: W,
    /** The world of stream `stream` (>= 1), drawn from `seed` (its own). */
    private readonly variant: (stream: number, seed: number) => W,
  ) {
    this.worlds = [base];
  }

  /** The seed stream `k` generates from: the vendor's own for stream 0. */
  seedOf(k: number): number {
    return k === 0 ? this.seed : (this.seeds[k] ??= hashSeed(this.seed, 'volume', k));
  }

  /** Stream k's world, made on first use (a volume of 1,000 does not build 1,000 worlds at start). */
  world(k: number): W {
    return (this.worlds[k] ??= this.variant(k, this.seedOf(k)));
  }

  /** One bucket's records of every stream, stream 0's first. */
  generate<R>(gen: (world: W, seed: number, stream: number) => R[]): R[] {
    const out = gen(this.world(0), this.seed, 0);
    for (let k = 1; k < this.volume; k++) for (const r of gen(this.world(k), this.seedOf(k), k)) out.push(r);
    return out;
  }

  /** Every world made so far (stream 0 first): what summaries look people up in. */
  *made(): Generator<W> {
    for (const w of this.worlds) if (w !== undefined) yield w;
  }
}

/** The streams of a vendor at its `volume` setting; `variant` makes stream k's world from its seed and an Rng of it. */
export function streamsOf<W>(
  ctx: { id: string; seed: number; settings: CommonSettings },
  base: W,
  variant: (stream: number, seed: number, rng: Rng) => W,
): Streams<W> {
  return new Streams(ctx.settings.volume ?? 1, ctx.seed, base, (k, seed) => variant(k, seed, new Rng(hashSeed(seed, ctx.id, 'world'))));
}
