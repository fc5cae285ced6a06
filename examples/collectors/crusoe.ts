// Crusoe audit logs: keyset pages (next_page_token) over a window pinned by start_time and end_time.
import { CrusoeClient, type CrusoeClientOptions, type LogEntry } from '../../contracts/crusoe/client.js';
import { IncrementalCollector, canonical, type CollectorOptions, type Feed } from './incremental.js';
import { withRetry } from './retry.js';

export function crusoeCollector(target: CrusoeClientOptions, o: CollectorOptions): IncrementalCollector<LogEntry> {
  const client = new CrusoeClient(target);
  const iso = (ms: number) => new Date(ms).toISOString();
  const feed: Feed<LogEntry> = {
    async *read(from, to) {
      let next: string | undefined;
      do {
        const q = next ? { next_token: next, limit: 1000 } : { start_time: iso(from), end_time: iso(to), limit: 1000 };
        const r = await withRetry(() => client.getAuditLogs(q as never));
        if (!r.ok) throw new Error(`crusoe ${r.status}: ${r.body.message}`);
        yield* r.body.items;
        next = r.body.next_page_token || undefined;
      } while (next);
    },
    // Crusoe's entries carry no id: the whole entry is its identity.
    identity: (e) => canonical(e),
    timeOf: (e) => Date.parse(e.start_time),
  };
  return new IncrementalCollector(feed, o);
}
