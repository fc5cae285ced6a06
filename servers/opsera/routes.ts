import { Hono, type Context } from 'hono';
import { Params } from '../core/params.js';
import type { CoreEnv, ProviderContext } from '../core/provider.js';
import type { Entry } from '../core/store.js';
import { opseraAuthenticator, type OpseraAuthOptions } from './auth.js';
import { opseraError, type ErrorFormat } from './errors.js';
import { isTokenRecord, type OpseraRecord, type TokenMeta } from './events.js';
import { parseQuery } from './query.js';

const DAY = 86_400_000;

export interface RouteOptions extends Omit<OpseraAuthOptions, 'onAuthenticated' | 'format'> {
  format: ErrorFormat;
  dateMode: 'from' | 'day';
  logRefusedTokenCalls: boolean;
  tokenTargetIncludesQuery: boolean;
  retentionDays: number;
  /** Append a token-usage record for this call at the emulator's now. */
  recordUse(token: TokenMeta, target: string): void;
}

/** `target` of a usage record: the path without `/api` (section 5.3), the query only when switched on. */
function targetOf(c: Context<CoreEnv>, withQuery: boolean): string {
  const url = new URL(c.req.url);
  const path = url.pathname.replace(/^\/api(?=\/)/, '');
  return withQuery ? path + url.search : path;
}

export function opseraRoutes(ctx: ProviderContext<OpseraRecord>, opts: RouteOptions): Hono<CoreEnv> {
  const app = new Hono<CoreEnv>();
  const authenticate = opseraAuthenticator({
    ...opts,
    // By default every authenticated call is logged before the handler reads, refused ones included.
    onAuthenticated: (token, c) => { if (opts.logRefusedTokenCalls) opts.recordUse(token, targetOf(c, opts.tokenTargetIncludesQuery)); },
  });

  const route = (kind: 'actions' | 'tokens') => async (c: Context<CoreEnv>) => {
    const who = await authenticate(c);
    if (!who.ok) return who.res;
    const now = ctx.clock.now();
    const parsed = parseQuery(Params.fromUrl(c.req.url), { now, filterName: kind === 'actions' ? 'type' : 'scope', dateMode: opts.dateMode });
    if (!parsed.ok) return opseraError(400, parsed.message, opts.format);
    if (!opts.logRefusedTokenCalls) opts.recordUse(who.token, targetOf(c, opts.tokenTargetIncludesQuery));
    const q = parsed.query;
    const account = who.user.account;
    const values = q.values;
    const { from, to } = ctx.store.clamp(Math.max(q.from, now - opts.retentionDays * DAY), q.to, now);
    const filter = kind === 'actions'
      ? (r: OpseraRecord) => !isTokenRecord(r) && r.account === account && (!values || values.has(r.type))
      : (r: OpseraRecord) => isTokenRecord(r) && r.account === account && (!values || values.has(r.scope));
    // No paging: the newest `count` records of the window (section 6), ties broken by `_id` descending.
    const entries: Entry<OpseraRecord>[] = [];
    for (const e of ctx.store.scan({ from, to, order: 'desc', filter })) {
      if (entries.length >= q.limit && e.ts !== entries[entries.length - 1].ts) break;
      entries.push(e);
    }
    entries.sort((a, b) => b.ts - a.ts || (a.rec._id < b.rec._id ? 1 : a.rec._id > b.rec._id ? -1 : 0));
    entries.length = Math.min(entries.length, q.limit);
    const body = ctx.store.jsonList(c.env, `{"count":${entries.length},"data":[`, entries, ']}');
    return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8' });
  };

  app.get('/api/v1/logs/user/actions', route('actions'));
  app.get('/api/v1/logs/user/tokens', route('tokens'));
  return app;
}
