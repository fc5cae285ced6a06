import { Hono, type Context } from 'hono';
import type { JwtIssuer } from '../core/auth.js';
import { Params } from '../core/params.js';
import type { CoreEnv, FeedTruth } from '../core/provider.js';
import type { Entry } from '../core/store.js';
import { opseraAuth, type OpseraEnv } from './auth.js';
import { isTokenRecord, type OpseraRecord } from './events.js';
import { parseQuery, type OpseraQuery } from './query.js';
import type { OpseraContext } from './state.js';
import { recordUse } from './tokens.js';
import type { OpseraWorld } from './world.js';

const DAY = 86_400_000;
type Log = 'actions' | 'tokens';

export function opseraRoutes(ctx: OpseraContext, world: OpseraWorld, jwt: JwtIssuer): Hono<CoreEnv> {
  const app = new Hono<CoreEnv>();
  // Only GET routes authenticate: another method or an unknown path is a 404 that leaves no usage record.
  const auth = opseraAuth(ctx, world, jwt);
  const route = (log: Log) => (c: Context<OpseraEnv>) => {
    const now = ctx.clock.now();
    const q = parseQuery(Params.fromUrl(c.req.url), { now, filterName: log === 'actions' ? 'type' : 'scope', dateMode: ctx.settings.dateMode });
    const { token, user } = c.get('caller');
    // With `logRefusedTokenCalls = false` only calls answered with 200 are logged: this one has passed every check.
    if (!ctx.settings.logRefusedTokenCalls) recordUse(ctx, world, token, c.req.url);
    const entries = newest(ctx, log, user.account, q, now);
    const body = ctx.store.jsonList(c.env, `{"count":${entries.length},"data":[`, entries, ']}');
    return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8' });
  };
  app.get('/api/v1/logs/user/actions', auth, route('actions'));
  app.get('/api/v1/logs/user/tokens', auth, route('tokens'));
  return app;
}

/** No paging: the newest `count` records of the account in the window, ties broken by `_id` descending. */
function newest(ctx: OpseraContext, log: Log, account: string, q: OpseraQuery, now: number): Entry<OpseraRecord>[] {
  const { values } = q;
  const { from, to } = ctx.store.clamp(Math.max(q.from, now - ctx.settings.retentionDays * DAY), q.to, now);
  const filter = logFilter(log, account, values);
  const entries: Entry<OpseraRecord>[] = [];
  for (const e of ctx.store.scan({ from, to, order: 'desc', filter })) {
    // Records at the same instant as the last one kept may outrank it once sorted by `_id`.
    if (entries.length >= q.limit && e.ts !== entries[entries.length - 1].ts) break;
    entries.push(e);
  }
  entries.sort(newestFirst);
  entries.length = Math.min(entries.length, q.limit);
  return entries;
}

const newestFirst = (a: Entry<OpseraRecord>, b: Entry<OpseraRecord>) => b.ts - a.ts || (a.rec._id < b.rec._id ? 1 : a.rec._id > b.rec._id ? -1 : 0);

function logFilter(log: Log, account: string, values?: Set<string> | null): (r: OpseraRecord) => boolean {
  return log === 'actions'
    ? (r) => !isTokenRecord(r) && r.account === account && (!values || values.has(r.type))
    : (r) => isTokenRecord(r) && r.account === account && (!values || values.has(r.scope));
}

/** Both logs as the main account's tokens read them, unfiltered and without the count limit, in the API's order. */
export function opseraFeeds(ctx: OpseraContext, account: string): Record<Log, FeedTruth> {
  const feed =
    (log: Log): FeedTruth =>
    (from, to) => {
      const entries = [...ctx.store.scan({ from, to, order: 'desc', all: true, filter: logFilter(log, account) })].sort(newestFirst);
      return entries.map((e) => JSON.parse(ctx.store.json(e)) as unknown);
    };
  return { actions: feed('actions'), tokens: feed('tokens') };
}
