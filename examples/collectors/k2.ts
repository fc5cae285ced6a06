// K2 LookupEvents: NextToken pages; the first page pins the window (StartTime, EndTime).
import { K2Client, type K2ClientOptions, type K2EventItem } from '../../contracts/k2/client.js';
import { IncrementalCollector, type CollectorOptions, type Feed } from './incremental.js';
import { withRetry } from './retry.js';

export function k2Collector(target: K2ClientOptions, o: CollectorOptions): IncrementalCollector<K2EventItem> {
  const client = new K2Client(target);
  const feed: Feed<K2EventItem> = {
    async *read(from, to) {
      let next: string | undefined;
      do {
        const input = { StartTime: from / 1000, EndTime: to / 1000, MaxResults: 50, ...(next ? { NextToken: next } : {}) };
        const r = await withRetry(() => client.lookupEvents(input as never));
        if (!r.ok) throw new Error(`k2 ${r.status}: ${r.body.__type} ${r.body.message}`);
        yield* r.body.Events;
        next = r.body.NextToken;
      } while (next);
    },
    identity: (e) => String(e.EventId),
    timeOf: (e) => Number(e.EventTime) * 1000,
  };
  return new IncrementalCollector(feed, o);
}
