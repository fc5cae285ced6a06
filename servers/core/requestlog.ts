/** A bounded ring of recent requests per vendor, so a developer can see why a call failed. */
export interface RequestRecord {
  id: number;
  time: string;
  vendor: string;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  auth?: { outcome: 'ok' | 'refused'; reason?: string; canonical?: string };
  /** Why strict mode (--validate-requests) refused the request. */
  problem?: string;
}

type Stored = Omit<RequestRecord, 'time' | 'id'> & { id: number; at: number };

/** Fixed-size ring per vendor: adding is O(1) and memory stays bounded however long it runs. */
class Ring {
  readonly items: Array<Stored | undefined>;
  private next = 0;
  size = 0;

  constructor(capacity: number) {
    this.items = new Array(capacity);
  }

  push(r: Stored): void {
    this.items[this.next] = r;
    this.next = (this.next + 1) % this.items.length;
    if (this.size < this.items.length) this.size++;
  }

  *values(): Generator<Stored> {
    for (const r of this.items) if (r) yield r;
  }
}

export class RequestLog {
  private rings = new Map<string, Ring>();
  private next = 1;

  constructor(readonly capacity = 500) {}

  /** `time` is taken now; the ISO string is only built when the log is read. */
  add(rec: Omit<RequestRecord, 'id' | 'time'> & { time?: string }): void {
    let ring = this.rings.get(rec.vendor);
    if (!ring) this.rings.set(rec.vendor, (ring = new Ring(this.capacity)));
    const at = rec.time ? Date.parse(rec.time) : NaN;
    // Built field by field: this runs on every request.
    const stored: Stored = {
      id: this.next++,
      at: Number.isFinite(at) ? at : Date.now(),
      vendor: rec.vendor,
      method: rec.method,
      path: rec.path,
      status: rec.status,
      latencyMs: rec.latencyMs,
    };
    if (rec.auth) stored.auth = rec.auth;
    if (rec.problem) stored.problem = rec.problem;
    ring.push(stored);
  }

  list(q: { vendor?: string; status?: number; limit?: number } = {}): RequestRecord[] {
    const rings = q.vendor ? [this.rings.get(q.vendor)].filter((r): r is Ring => !!r) : [...this.rings.values()];
    let all: Stored[] = [];
    for (const r of rings) all.push(...r.values());
    if (q.status !== undefined) all = all.filter((r) => r.status === q.status);
    all.sort((a, b) => b.id - a.id);
    return all.slice(0, q.limit ?? 100).map(({ at, ...r }) => ({ ...r, time: new Date(at).toISOString() }));
  }

  size(): number {
    let n = 0;
    for (const r of this.rings.values()) n += r.size;
    return n;
  }

  clear(): void {
    this.rings.clear();
  }
}
