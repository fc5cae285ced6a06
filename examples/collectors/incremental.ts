// The loop every correct collector shares: a checkpoint, an overlap window re-read on every poll
// (late records, visibility delays, records that landed while the last poll paged), and dedup by
// the record's identity so that the overlap never stores a record twice.

export interface Feed<R> {
  /** Every record of [from, to] (ms, both included), in any order, with the window's end pinned. */
  read(from: number, to: number): AsyncIterable<R>;
  /** The vendor's id of the record (the whole record as JSON where the vendor has none). */
  identity(rec: R): string;
  /** The record's own time, ms. */
  timeOf(rec: R): number;
}

export interface CollectorOptions {
  /** Where collection starts (ms): nothing older is read. */
  start: number;
  /** How far behind the checkpoint each poll reads again (default 10 minutes). */
  overlapMs?: number;
}

export class IncrementalCollector<R> {
  /** What the collector delivered downstream (the SIEM), in delivery order. */
  readonly records: R[] = [];
  private checkpoint: number;
  private readonly overlap: number;
  /** Identities delivered within the overlap, with their record's time, to drop re-reads. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly feed: Feed<R>,
    private readonly o: CollectorOptions,
  ) {
    this.checkpoint = o.start;
    this.overlap = o.overlapMs ?? 10 * 60_000;
  }

  /** One poll up to `now` (ms); the checkpoint moves only once the whole window was read. */
  async poll(now: number): Promise<number> {
    const from = Math.max(this.o.start, this.checkpoint - this.overlap);
    let added = 0;
    for await (const rec of this.feed.read(from, now)) {
      const id = this.feed.identity(rec);
      if (this.seen.has(id)) continue;
      this.seen.set(id, this.feed.timeOf(rec));
      this.records.push(rec);
      added++;
    }
    this.checkpoint = now;
    // Only identities the next overlap can meet again are worth remembering.
    for (const [id, t] of this.seen) if (t < now - this.overlap) this.seen.delete(id);
    return added;
  }
}

/** JSON with sorted keys: the identity of a record that carries no id. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
