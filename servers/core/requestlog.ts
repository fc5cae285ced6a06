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

/** A record as kept: its slot object is overwritten in place when the ring comes round. */
interface Stored {
  id: number;
  at: number;
  vendor: string;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  auth: RequestRecord['auth'] | undefined;
  problem: string | undefined;
}

/**
 * Fixed-size ring per vendor: adding is O(1) and memory stays bounded however long it runs. Once
 * full, each record overwrites the oldest one's object: a fresh object per request would live
 * for the ring's length, long enough to be promoted and collected as old garbage, which cost
 * about a tenth of a small query's server time.
 */
class Ring {
  readonly items: Array<Stored | undefined>;
  private next = 0;
  size = 0;

  constructor(capacity: number) {
    this.items = new Array(capacity);
  }

  /** The slot for the next record (the oldest record's object once the ring is full), to be filled in. */
  claim(): Stored {
    let slot = this.items[this.next];
    if (!slot) {
      slot = { id: 0, at: 0, vendor: '', method: '', path: '', status: 0, latencyMs: 0, auth: undefined, problem: undefined };
      this.items[this.next] = slot;
    }
    this.next = (this.next + 1) % this.items.length;
    if (this.size < this.items.length) this.size++;
    return slot;
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
    const slot = ring.claim();
    slot.id = this.next++;
    slot.at = Number.isFinite(at) ? at : Date.now();
    slot.vendor = rec.vendor;
    slot.method = rec.method;
    slot.path = rec.path;
    slot.status = rec.status;
    slot.latencyMs = rec.latencyMs;
    slot.auth = rec.auth;
    slot.problem = rec.problem;
  }

  list(q: { vendor?: string; status?: number; limit?: number } = {}): RequestRecord[] {
    const rings = q.vendor ? [this.rings.get(q.vendor)].filter((r): r is Ring => !!r) : [...this.rings.values()];
    let all: Stored[] = [];
    for (const r of rings) all.push(...r.values());
    if (q.status !== undefined) all = all.filter((r) => r.status === q.status);
    all.sort((a, b) => b.id - a.id);
    return all.slice(0, q.limit ?? 100).map(copyOut);
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

/** A record as read: a copy (its slot will be overwritten), with the time as an ISO string and no empty fields. */
function copyOut(r: Stored): RequestRecord {
  const { id, vendor, method, path, status, latencyMs, auth, problem } = r;
  return { id, vendor, method, path, status, latencyMs, ...(auth ? { auth } : {}), ...(problem ? { problem } : {}), time: new Date(r.at).toISOString() };
}
