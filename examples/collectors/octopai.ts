// Octopai user events: page numbers over a window whose end is pinned; the client logs in, and
// refreshes its token pair when a call is refused with 401 (tokens expire between polls). A 401 that
// outlives the client's one refresh (the refresh itself met a 503) is tried again: it logs in anew.
import { OctopaiClient, type OctopaiClientOptions, type UserEvent } from '../../contracts/octopai/client.js';
import { IncrementalCollector, type CollectorOptions, type Feed } from './incremental.js';
import { withRetry } from './retry.js';

const PAGE = 500;

export function octopaiCollector(target: OctopaiClientOptions, o: CollectorOptions, pageSize = PAGE): IncrementalCollector<UserEvent> {
  const client = new OctopaiClient(target);
  const iso = (ms: number) => new Date(ms).toISOString();
  const feed: Feed<UserEvent> = {
    async *read(from, to) {
      for (let page = 1; ; page++) {
        const r = await withRetry(() => client.postUserEvents({ startDate: iso(from), endDate: iso(to), pageSize, pageNumber: page }), { alsoRetry: [401] });
        if (!r.ok) throw new Error(`octopai ${r.status}: ${JSON.stringify(r.body)}`);
        yield* r.body;
        if (r.body.length < pageSize) return;
      }
    },
    identity: (e) => String(e.id),
    timeOf: (e) => Date.parse(e.eventDate),
  };
  return new IncrementalCollector(feed, o);
}
