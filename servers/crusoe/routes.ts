import { Hono, type Context } from 'hono';
import { sealToken } from '../core/cursor.js';
import { fail } from '../core/failure.js';
import { Memo } from '../core/memo.js';
import { RateLimiter } from '../core/ratelimit.js';
import type { CoreEnv, ProviderContext } from '../core/provider.js';
import type { Entry, EventStore, Position, ScanOptions } from '../core/store.js';
import { crusoeAuth } from './auth.js';
import type { CrusoeWorld, LogEntry, Member } from './events.js';
import { queryParser, type CrusoeQuery, type PageToken } from './query.js';
import type { CrusoeSettings } from './settings.js';

type Ctx = ProviderContext<LogEntry, CrusoeSettings>;

export function crusoeRoutes(ctx: Ctx, world: CrusoeWorld): Hono<CoreEnv> {
  const app = new Hono<CoreEnv>();
  const auth = crusoeAuth(world, ctx.settings);
  const limit = rateLimit(ctx.settings.rateLimitPerMinute);
  const page = auditLogPage(ctx);
  const parseQuery = queryParser(ctx.settings, ctx.secret);
  // One synchronous handler (signature, rate limit, page): a Response returned at once goes out
  // without the promise hops a middleware chain costs.
  const handler = (c: Context<CoreEnv>) => {
    limit(auth(c));
    const now = ctx.clock.now();
    const body = page(c.env, parseQuery(c.req.url, now, ctx.store.retentionMs), now);
    return c.body(body, 200, { 'content-type': 'application/json' });
  };
  for (const version of ['v1alpha5', 'v1']) {
    app.get(`/${version}/organizations/:organization_id/audit-logs`, handler);
  }
  return app;
}

/** The optional per-key limit (`rateLimitPerMinute`, 0 is off), counted per access key: throws when the caller is over it. */
function rateLimit(perMinute: number): (caller: Member) => void {
  const limiter = new RateLimiter(perMinute, 60_000);
  return (caller) => {
    const allowed = limiter.take(caller.accessKeyId);
    if (!allowed.ok) fail.throttled('rate limit exceeded', allowed.retryAfterMs / 1000);
  };
}

/** One page of the audit log, newest first, with keyset tokens both ways, as the response body. */
function auditLogPage(ctx: Ctx) {
  // Sealing is a pure function of the payload; pollers ask for the same page boundaries again.
  const tokens = new Memo<string>(2000);
  return (env: unknown, q: CrusoeQuery, now: number) => {
    const { from, to } = ctx.store.clamp(q.from, q.to, now);
    const token = (d: 'n' | 'p', pos: Position) => {
      const payload: PageToken = { v: 2, d, ts: pos.ts, seq: pos.seq, from: q.from, to: q.to, q: q.filterKey };
      return tokens.get(`${d}|${pos.ts}|${pos.seq}|${q.from}|${q.to}|${q.filterKey}`, () => sealToken(ctx.secret, payload));
    };
    let items: Entry<LogEntry>[];
    let next = '';
    let prev = '';
    const cur = q.cursor;
    if (!cur || cur.d === 'n') {
      const after = cur ? { ts: cur.ts, seq: cur.seq } : undefined;
      const page = skipThenPage(ctx.store, { from, to, order: 'desc', after, filter: q.filter }, q.offset, q.limit);
      items = page.entries;
      const last = items[items.length - 1];
      if (page.more && last) next = token('n', last);
      // Back from a later page: the page just newer than this one starts above its first entry
      // (above the oldest entry passed over when the page is empty).
      const above = cur ?? page.skipped;
      if (above) prev = token('p', items[0] ?? { ts: above.ts, seq: above.seq - 0.5 });
    } else {
      const page = ctx.store.page({ from, to, order: 'asc', after: { ts: cur.ts, seq: cur.seq }, filter: q.filter }, q.limit);
      items = page.entries.reverse();
      if (page.more && items[0]) prev = token('p', items[0]);
      next = token('n', items[items.length - 1] ?? { ts: cur.ts, seq: cur.seq + 0.5 });
    }
    return ctx.store.jsonList(env, '{"items":[', items, `],"next_page_token":"${next}","prev_page_token":"${prev}"}`);
  };
}

/**
 * Up to `limit` entries after passing over `offset` matching ones, and whether more remain; `skipped`
 * is the last entry passed over. One walk of the store: O(offset + limit), only the page is kept.
 */
function skipThenPage(store: EventStore<LogEntry>, scan: ScanOptions<LogEntry>, offset: number, limit: number) {
  const walk = store.scan(scan);
  let skipped: Entry<LogEntry> | undefined;
  for (let i = 0; i < offset; i++) {
    const r = walk.next();
    if (r.done) return { entries: [], more: false, skipped };
    skipped = r.value;
  }
  const entries: Entry<LogEntry>[] = [];
  for (const e of walk) {
    if (entries.length === limit) return { entries, more: true, skipped };
    entries.push(e);
  }
  return { entries, more: false, skipped };
}
