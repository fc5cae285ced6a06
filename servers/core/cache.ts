/** Below this much dropped, a collection is not worth its pause (tiny budgets in tests). */
const MIN_COLLECT = 32_000_000;

/**
 * Generated history under one memory budget. Every store of an emulator notes here the buckets it
 * has generated, with their estimated size; once the total passes the budget, the least recently
 * used buckets are dropped (their store regenerates them identically when asked again). Recorded
 * and injected events never pass through here: they are not regenerable and stay.
 */
export class BucketCache {
  /** Insertion order of a Map is the recency order: a touched bucket is moved to the end. */
  private readonly lru = new Map<object, { bytes: number; evict: () => void }>();
  private used = 0;
  /** Buckets dropped so far (diagnostics, tests). */
  evictions = 0;
  private droppedSinceCollect = 0;

  constructor(
    readonly budgetBytes: number = Infinity,
    /**
     * A full garbage collection, run whenever half the budget has been dropped: V8 lets garbage
     * grow to several times the live heap before it collects the old generation on its own, so a
     * long walk through regenerated history would otherwise hold far more than the budget.
     */
    private readonly collect?: () => void,
  ) {}

  get usedBytes(): number {
    return this.used;
  }

  /** A bucket just made (`bytes` its estimate) or used again; may evict others, never this one. */
  touch(key: object, bytes: number, evict: () => void): void {
    const held = this.lru.get(key);
    this.lru.delete(key);
    this.lru.set(key, held ?? { bytes, evict });
    if (held) return;
    this.used += bytes;
    if (this.used <= this.budgetBytes) return;
    for (const [k, h] of this.lru) {
      if (this.used <= this.budgetBytes || k === key) break;
      this.lru.delete(k);
      this.used -= h.bytes;
      this.evictions++;
      this.droppedSinceCollect += h.bytes;
      h.evict();
    }
    if (this.collect && this.droppedSinceCollect >= Math.max(this.budgetBytes / 2, MIN_COLLECT)) {
      this.droppedSinceCollect = 0;
      this.collect();
    }
  }

  /** A bucket its store dropped by itself (pruned, reset). */
  forget(key: object): void {
    const held = this.lru.get(key);
    if (!held) return;
    this.lru.delete(key);
    this.used -= held.bytes;
  }
}

/**
 * Bytes of rendered JSON that every store of every world may keep together: each store drops its
 * own oldest renderings to stay under it, so a thousand worlds cost no more than one busy one.
 */
export class ByteBudget {
  used = 0;

  constructor(readonly max: number) {}
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, k: 1e3, mb: 1e6, m: 1e6, gb: 1e9, g: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `256MB`, `1.5GB`, `512MiB`, a plain number of bytes, or `unlimited`; undefined when unreadable. */
export function parseBytes(text: string): number | undefined {
  if (/^(unlimited|none|off)$/i.test(text.trim())) return Infinity;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m && UNITS[m[2].toLowerCase()];
  return m && unit ? Math.round(Number(m[1]) * unit) : undefined;
}
