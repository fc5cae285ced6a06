import { Hono } from 'hono';
import { numberSwitch } from '../core/config.js';
import { sealToken } from '../core/cursor.js';
import { Memo } from '../core/memo.js';
import { RateLimiter } from '../core/ratelimit.js';
import type { CoreEnv, ProviderContext } from '../core/provider.js';
import type { Entry, Position } from '../core/store.js';
import { crusoeAuth, rawQueryOf } from './auth.js';
import { crusoeError } from './errors.js';
import type { CrusoeWorld, LogEntry } from './events.js';
import { parseQuery, type PageToken } from './query.js';
import { parseQueryString } from './signature.js';

export function crusoeRoutes(ctx: ProviderContext<LogEntry>, world: CrusoeWorld): Hono<CoreEnv> {
  const app = new Hono<CoreEnv>();
  const cfg = ctx.config;
  const auth = crusoeAuth({
    world,
    skewSeconds: numberSwitch(cfg.timestampSkewSeconds, 300, { min: 0 }),
    strictQueryOrder: cfg.strictQueryOrder === true,
  });
  const limiter = new RateLimiter(numberSwitch(cfg.rateLimitPerMinute, 0, { min: 0 }), 60_000);
  // Sealing is a pure function of the payload; pollers ask for the same page boundaries again.
  const tokens = new Memo<string>(2000);

  const handler = (c: import('hono').Context<CoreEnv>) => {
    if (limiter.enabled) {
      const allowed = limiter.take((c.req.header('authorization') ?? '').split(':')[1] ?? '');
      if (!allowed.ok) return crusoeError(429, 'too_many_requests', 'rate limit exceeded', { 'retry-after': String(Math.ceil(allowed.retryAfterMs / 1000)) });
    }
    const raw = rawQueryOf(c.req.url);
    const pairs = parseQueryString(raw)?.pairs ?? [];
    const now = ctx.clock.now();
    const parsed = parseQuery(raw, pairs, now, ctx.store.retentionMs, ctx.secret);
    if (!parsed.ok) return crusoeError(400, 'bad_request', `bad request, check request parameters: ${parsed.detail}`);
    const q = parsed.query;
    const { from, to } = ctx.store.clamp(q.from, q.to, now);
    const token = (d: 'n' | 'p', pos: Position) => {
      const payload: PageToken = { v: 1, d, ts: pos.ts, seq: pos.seq, from: q.from, to: q.to, f: q.filterHash };
      return tokens.get(`${d}|${pos.ts}|${pos.seq}|${q.from}|${q.to}|${q.filterHash}`, () => sealToken(ctx.secret, payload));
    };

    let items: Entry<LogEntry>[];
    let next = '';
    let prev = '';
    const cur = q.cursor;
    if (!cur || cur.d === 'n') {
      const after = cur ? { ts: cur.ts, seq: cur.seq } : undefined;
      const page = ctx.store.page({ from, to, order: 'desc', after, filter: q.filter }, q.limit);
      items = page.entries;
      const last = items[items.length - 1];
      if (page.more && last) next = token('n', last);
      // Back from a later page: the page just newer than this one starts above its first entry.
      if (cur) prev = token('p', items[0] ?? { ts: cur.ts, seq: cur.seq - 0.5 });
    } else {
      const page = ctx.store.page({ from, to, order: 'asc', after: { ts: cur.ts, seq: cur.seq }, filter: q.filter }, q.limit);
      items = page.entries.reverse();
      if (page.more && items[0]) prev = token('p', items[0]);
      next = token('n', items[items.length - 1] ?? { ts: cur.ts, seq: cur.seq + 0.5 });
    }
    const body = ctx.store.jsonList(c.env, '{"items":[', items, `],"next_page_token":"${next}","prev_page_token":"${prev}"}`);
    return c.body(body, 200, { 'content-type': 'application/json' });
  };

  for (const version of ['v1alpha5', 'v1']) {
    app.get(`/${version}/organizations/:organization_id/audit-logs`, auth, handler);
  }
  return app;
}
