// Instaclustr account user actions: offset pages (startIndex) over a window whose end is pinned, so
// that actions arriving meanwhile cannot shift the pages; the overlap covers the 20-second refresh.
import { InstaclustrClient, type InstaclustrClientOptions, type UserAction } from '../../contracts/instaclustr/client.js';
import { IncrementalCollector, type CollectorOptions, type Feed } from './incremental.js';
import { withRetry } from './retry.js';

const PAGE = 1000;

export function instaclustrCollector(target: InstaclustrClientOptions, o: CollectorOptions): IncrementalCollector<UserAction> {
  const client = new InstaclustrClient(target);
  const iso = (ms: number) => new Date(ms).toISOString();
  const feed: Feed<UserAction> = {
    async *read(from, to) {
      // endTime is exclusive: one millisecond past the window's last instant.
      for (let start = 0; ; start += PAGE) {
        const q = { startTime: iso(from), endTime: iso(to + 1), pageSize: PAGE, startIndex: start };
        const r = await withRetry(() => client.getAccountUserActions(q));
        if (!r.ok) throw new Error(`instaclustr ${r.status}: ${JSON.stringify(r.body)}`);
        yield* r.body.resources;
        if (start + PAGE >= r.body.totalResults) return;
      }
    },
    identity: (a) => a.id,
    timeOf: (a) => Date.parse(a.timestamp),
  };
  return new IncrementalCollector(feed, o);
}
