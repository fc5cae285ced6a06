// Two collectors as they are often written, kept here so that the tests can show what they lose.
// Do not copy them: `instaclustr.ts` and `octopai.ts` are the correct versions.
import { InstaclustrClient, type InstaclustrClientOptions, type UserAction } from '../../contracts/instaclustr/client.js';
import { OctopaiClient, type OctopaiClientOptions, type UserEvent } from '../../contracts/octopai/client.js';
import { withRetry } from './retry.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A timestamp cursor with no overlap: each poll reads (last poll, now] and moves the cursor to now.
 * Whatever was not yet visible at the last poll (Instaclustr shows new actions in 20-second steps;
 * live pipelines deliver late) has a time before the cursor by the time it shows: lost.
 */
export class NaiveCursorCollector {
  readonly records: UserAction[] = [];
  private readonly client: InstaclustrClient;
  constructor(
    target: InstaclustrClientOptions,
    private cursor: number,
  ) {
    this.client = new InstaclustrClient(target);
  }

  async poll(now: number): Promise<void> {
    for (let start = 0; ; start += 1000) {
      const q = { startTime: iso(this.cursor), endTime: iso(now + 1), pageSize: 1000, startIndex: start };
      const r = await withRetry(() => this.client.getAccountUserActions(q));
      if (!r.ok) throw new Error(`instaclustr ${r.status}`);
      this.records.push(...r.body.resources);
      if (start + 1000 >= r.body.totalResults) break;
    }
    this.cursor = now + 1;
  }
}

/**
 * Offset paging without pinning the window's end: every page asks for "since the cursor, up to now",
 * so events landing at the head while it pages push older ones onto the next page: read twice.
 */
export class NaiveOffsetCollector {
  readonly records: UserEvent[] = [];
  private readonly client: OctopaiClient;
  constructor(
    target: OctopaiClientOptions,
    private cursor: number,
    private readonly pageSize = 20,
  ) {
    this.client = new OctopaiClient(target);
  }

  async poll(now: number): Promise<void> {
    for (let page = 1; ; page++) {
      const r = await withRetry(() => this.client.postUserEvents({ startDate: iso(this.cursor), pageSize: this.pageSize, pageNumber: page }), {
        alsoRetry: [401],
      });
      if (!r.ok) throw new Error(`octopai ${r.status}`);
      this.records.push(...r.body);
      if (r.body.length < this.pageSize) break;
    }
    this.cursor = now + 1;
  }
}
