import { Hono, type Context } from 'hono';
import { fail } from '../core/failure.js';
import type { CoreEnv, FeedTruth, ProviderContext } from '../core/provider.js';
import { RateLimiter } from '../core/ratelimit.js';
import type { Entry } from '../core/store.js';
import { instaclustrAuth } from './auth.js';
import { INVALID_ORGANISATION, methodNotAllowed } from './errors.js';
import type { UserAction } from './events.js';
import { addToTally, newTally, tallyOf, withInserted, type ActionFacts, type DayHistograms, type Span, type Tally } from './facts.js';
import { parseQuery, type UserActionsQuery } from './query.js';
import type { InstaclustrSettings } from './settings.js';
import type { ApiKey, InstaclustrWorld } from './world.js';

export const ACCOUNT_PATH = '/cluster-management/v2/operations/user-actions/v2';
export const ORGANISATION_PATH = '/v1/organisations/:organisationId/user-actions';

const DAY = 86_400_000;

type Ctx = ProviderContext<UserAction, InstaclustrSettings>;
type Scope = (r: ActionFacts) => boolean;

interface Page {
  total: number;
  entries: Entry<UserAction>[];
  counts: Map<string, number>;
}

/** The organisation endpoint reads the key's own organisation only: its records and those of its linked accounts. */
function organisationScope(world: InstaclustrWorld, key: ApiKey, organisationId: string): Scope {
  if (organisationId.toLowerCase() !== (key.organisationId ?? '').toLowerCase()) {
    return fail.notFound('Invalid organization id', { code: INVALID_ORGANISATION });
  }
  return organisationRecords(world);
}

/** The organisation's own records and those of its linked accounts. */
function organisationRecords(world: InstaclustrWorld): Scope {
  const org = world.organisationId;
  return (r) => (r.accountId === null ? r.organisationId === org : world.linkedAccountIds.has(r.accountId));
}

/**
 * The feeds as the manifest's keys read them (the production account, the organisation), without
 * the 20-second visibility step: the truth is what a collector gets once every delay has passed.
 */
export function instaclustrFeeds(ctx: Ctx, world: InstaclustrWorld): Record<string, FeedTruth> {
  const account = world.accounts[0].accountId;
  const feed =
    (scope: Scope): FeedTruth =>
    (from, to) =>
      ctx.store.wire({ from, to, order: 'desc', filter: scope });
  return { account: feed((r) => r.accountId === account), organisation: feed(organisationRecords(world)) };
}

/**
 * How many records of a day, or of a part of it ([first, last] ms), pass the query, and of which
 * actions. A filter on facts alone counts from histograms: a whole day's, remembered until the day
 * changes and good for any such filter, or a part's, counted for it. One on names folds a whole
 * day's records, remembered under `key` (scope and filter), and leaves parts to be scanned.
 */
function dayTallies(ctx: Ctx, days: DayHistograms, scope: Scope, key: string, q: UserActionsQuery): (bucket: number, part?: Span) => Tally | undefined {
  const { store } = ctx;
  const { factsFilter } = q;
  if (!factsFilter) {
    const filter = (r: UserAction) => scope(r) && q.filter(r);
    return (b, part) => (part ? undefined : store.fold(b, key, filter, newTally, (t, e) => addToTally(t, e.rec.action)));
  }
  const pass = (f: ActionFacts) => scope(f) && factsFilter(f);
  const within = (part: Span) => (e: Entry<UserAction>) => e.ts >= part[0] && e.ts <= part[1];
  return (b, part) => {
    const h = part
      ? store.remember(b, `facts:${part[0]}:${part[1]}`, (inserted) => withInserted(days.partOf(b, ...part), inserted.filter(within(part))))
      : store.remember(b, 'facts', (inserted) => withInserted(days.of(b), inserted));
    return h && tallyOf(h, pass);
  };
}

/**
 * Newest first over retention and the visibility horizon; the total and counts cover the whole
 * filtered set. Days wholly inside the window and wholly before or after the page, and once the
 * page is full the part of a day the window starts in, are counted from tallies, so that a total
 * over a year of a large history does not walk, or make, every day's records on every request.
 */
function readPage(ctx: Ctx, days: DayHistograms, scope: Scope, scopeKey: string, q: UserActionsQuery): Page {
  const { settings, store } = ctx;
  const now = ctx.clock.now();
  const step = settings.visibilityStepSeconds * 1000;
  // New records show in steps of the emulator clock: visible once at or before the horizon.
  const horizon = step > 0 ? Math.floor(now / step) * step : now;
  const edge = now - settings.retentionDays * DAY;
  const { from, to } = store.clamp(Math.max(q.startTime ?? edge, edge), q.endTime !== undefined ? q.endTime - 1 : horizon, horizon);
  const page: Page = { total: 0, entries: [], counts: new Map() };
  const end = q.startIndex + q.pageSize;
  const filter = (r: UserAction) => scope(r) && q.filter(r);
  const tallyOfDay = dayTallies(ctx, days, scope, `${scopeKey}|${q.filterKey}`, q);
  const ms = store.bucketMs;
  if (q.factsFilter) days.prepare(wholeBuckets(from, to, ms), firstPart(from, to, ms));
  for (let b = Math.floor(to / ms); from <= to && b >= Math.floor(from / ms); b--) {
    const lo = Math.max(from, b * ms);
    const hi = Math.min(to, (b + 1) * ms - 1);
    const whole = lo === b * ms && hi === (b + 1) * ms - 1;
    // A part of a day is counted rather than made only once the page is full.
    const tally = whole ? tallyOfDay(b) : page.total >= end ? tallyOfDay(b, [lo, hi]) : undefined;
    if (tally && (page.total + tally.n <= q.startIndex || page.total >= end)) {
      page.total += tally.n;
      if (q.getActionCounts) for (const [action, n] of tally.counts) page.counts.set(action, (page.counts.get(action) ?? 0) + n);
      continue;
    }
    for (const e of store.scan({ from: lo, to: hi, order: 'desc', filter })) {
      if (page.total >= q.startIndex && page.total < end) page.entries.push(e);
      page.total++;
      if (q.getActionCounts) page.counts.set(e.rec.action, (page.counts.get(e.rec.action) ?? 0) + 1);
    }
  }
  return page;
}

/** The part of its first day a window of more than one day starts in, when it starts within one. */
function firstPart(from: number, to: number, ms: number): { bucket: number; span: Span } | undefined {
  const b = Math.floor(from / ms);
  return from > b * ms && (b + 1) * ms <= to ? { bucket: b, span: [from, (b + 1) * ms - 1] } : undefined;
}

/** The buckets wholly inside [from, to]. */
function wholeBuckets(from: number, to: number, ms: number): number[] {
  const out: number[] = [];
  for (let b = Math.ceil(from / ms); (b + 1) * ms - 1 <= to; b++) out.push(b);
  return out;
}

/** UserActionsPage around the records' ready JSON; `actionCounts` alphabetical. */
function renderPage(c: Context, ctx: Ctx, q: UserActionsQuery, page: Page): Response {
  const { wrapResponseInArray, itemsPerPageMode } = ctx.settings;
  const itemsPerPage = itemsPerPageMode === 'returned' ? page.entries.length : q.pageSize;
  const head = `${wrapResponseInArray ? '[' : ''}{"totalResults":${page.total},"startIndex":${q.startIndex},"itemsPerPage":${itemsPerPage},"resources":[`;
  let tail = ']';
  if (q.getActionCounts) {
    const sorted = [...page.counts.keys()].sort();
    tail += `,"actionCounts":{${sorted.map((k) => `${JSON.stringify(k)}:${page.counts.get(k)}`).join(',')}}`;
  }
  tail += wrapResponseInArray ? '}]' : '}';
  return c.body(ctx.store.jsonList(c.env, head, page.entries, tail), 200, { 'content-type': 'application/json' });
}

export function instaclustrRoutes(ctx: Ctx, world: InstaclustrWorld, days: DayHistograms): Hono<CoreEnv> {
  const app = new Hono<CoreEnv>();
  const auth = instaclustrAuth({ world, limiter: new RateLimiter(ctx.settings.rateLimitPerSecond, 1000) });

  app.get(ACCOUNT_PATH, auth('account'), (c) => {
    const key = c.get('caller');
    const q = parseQuery(c.req.url, 'account', ctx.settings);
    return renderPage(
      c,
      ctx,
      q,
      readPage(ctx, days, (r) => r.accountId === key.accountId, `account:${key.accountId}`, q),
    );
  });
  app.get(ORGANISATION_PATH, auth('organisation'), (c) => {
    // The organisation is checked before the parameters: a wrong one answers 404 whatever the query.
    const scope = organisationScope(world, c.get('caller'), c.req.param('organisationId'));
    const q = parseQuery(c.req.url, 'organisation', ctx.settings);
    return renderPage(c, ctx, q, readPage(ctx, days, scope, `organisation:${world.organisationId}`, q));
  });
  app.all(ACCOUNT_PATH, (c) => methodNotAllowed(c.req.method));
  app.all(ORGANISATION_PATH, (c) => methodNotAllowed(c.req.method));
  return app;
}
