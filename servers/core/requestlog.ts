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

export class RequestLog {
  private rings = new Map<string, RequestRecord[]>();
  private next = 1;

  constructor(readonly capacity = 500) {}

  add(rec: Omit<RequestRecord, 'id'>): RequestRecord {
    const full = { id: this.next++, ...rec };
    let ring = this.rings.get(rec.vendor);
    if (!ring) this.rings.set(rec.vendor, (ring = []));
    ring.push(full);
    if (ring.length > this.capacity) ring.splice(0, ring.length - this.capacity);
    return full;
  }

  list(q: { vendor?: string; status?: number; limit?: number } = {}): RequestRecord[] {
    const rings = q.vendor ? [this.rings.get(q.vendor) ?? []] : [...this.rings.values()];
    let all = rings.flat();
    if (q.status !== undefined) all = all.filter((r) => r.status === q.status);
    all.sort((a, b) => b.id - a.id);
    return all.slice(0, q.limit ?? 100);
  }

  size(): number {
    let n = 0;
    for (const r of this.rings.values()) n += r.length;
    return n;
  }

  clear(): void {
    this.rings.clear();
  }
}
