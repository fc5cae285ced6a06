// Opsera user actions: no paging, only `date` (that UTC day up to now) and `count` (at most 1000,
// the newest): each poll reads from the overlap's day and keeps the records inside the window.
import { OpseraClient, type ActionRecord, type OpseraClientOptions } from '../../contracts/opsera/client.js';
import { IncrementalCollector, type CollectorOptions, type Feed } from './incremental.js';
import { withRetry } from './retry.js';

export function opseraCollector(target: OpseraClientOptions, o: CollectorOptions): IncrementalCollector<ActionRecord> {
  const client = new OpseraClient(target);
  const feed: Feed<ActionRecord> = {
    async *read(from, to) {
      const r = await withRetry(() => client.getUserActions({ date: new Date(from).toISOString().slice(0, 10), count: '1000' }));
      if (!r.ok) throw new Error(`opsera ${r.status}: ${JSON.stringify(r.body)}`);
      // A full answer may have cut older records of the window off: poll more often than that.
      if (r.body.count === 1000 && Date.parse(r.body.data[r.body.data.length - 1].createdAt) > from)
        throw new Error('opsera: more than 1000 records since the window began');
      for (const rec of r.body.data) {
        const t = Date.parse(rec.createdAt);
        if (t >= from && t <= to) yield rec;
      }
    },
    identity: (r) => r._id,
    timeOf: (r) => Date.parse(r.createdAt),
  };
  return new IncrementalCollector(feed, o);
}
