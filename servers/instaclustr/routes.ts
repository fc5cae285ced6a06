import { Hono, type Context } from 'hono';
import { numberSwitch } from '../core/config.js';
import type { CoreEnv, ProviderContext } from '../core/provider.js';
import { RateLimiter } from '../core/ratelimit.js';
import type { Entry } from '../core/store.js';
import { authenticate, type Endpoint } from './auth.js';
import { icError, icErrorList } from './errors.js';
import type { InstaclustrWorld, UserAction } from './events.js';
import { parseQuery } from './query.js';

export const ACCOUNT_PATH = '/cluster-management/v2/operations/user-actions/v2';
export const ORGANISATION_PATH = '/v1/organisations/:organisationId/user-actions';

const DAY = 86_400_000;

export interface InstaclustrSettings {
  rateLimitPerSecond: number;
  legacy429: boolean;
  visibilityStepMs: number;
  retentionDays: number;
  wrapResponseInArray: boolean;
  itemsPerPageReturned: boolean;
  unknownActionKindsMatchNothing: boolean;
}

export function settingsOf(cfg: Record<string, unknown>): InstaclustrSettings {
  const num = (v: unknown, d: number) => numberSwitch(v, d, { min: 0 });
  return {
    rateLimitPerSecond: num(cfg.rateLimitPerSecond, 35),
    legacy429: cfg.rateLimitBody === 'legacy',
    visibilityStepMs: num(cfg.visibilityStepSeconds, 20) * 1000,
    retentionDays: Math.min(num(cfg.retentionDays, 365), 365),
    wrapResponseInArray: cfg.wrapResponseInArray === true,
    itemsPerPageReturned: cfg.itemsPerPageMode === 'returned',
    unknownActionKindsMatchNothing: cfg.unknownActionKindsMatchNothing === true,
  };
}

export function instaclustrRoutes(ctx: ProviderContext<UserAction>, world: InstaclustrWorld, settings: InstaclustrSettings): Hono<CoreEnv> {
  const app = new Hono<CoreEnv>();
  const authOpts = { world, limiter: new RateLimiter(settings.rateLimitPerSecond, 1000), legacy429: settings.legacy429 };

  const handler = (endpoint: Endpoint) => (c: Context<CoreEnv>) => {
    const key = authenticate(c, endpoint, authOpts);
    if (key instanceof Response) return key;
    let scope: (r: UserAction) => boolean;
    if (endpoint === 'organisation') {
      const orgId = (c.req.param('organisationId') ?? '').toLowerCase();
      if (orgId !== (key.organisationId ?? '').toLowerCase()) return icError(404, 'Invalid organization id');
      const org = world.organisationId;
      scope = (r) => (r.accountId === null ? r.organisationId === org : world.linkedAccountIds.has(r.accountId));
    } else {
      scope = (r) => r.accountId === key.accountId;
    }
    const parsed = parseQuery(c.req.url, endpoint, settings);
    if (!parsed.ok) return icErrorList(parsed.errors);
    const q = parsed.query;

    const now = ctx.clock.now();
    // New records show in steps of the emulator clock: visible once at or before the horizon.
    const horizon = settings.visibilityStepMs > 0 ? Math.floor(now / settings.visibilityStepMs) * settings.visibilityStepMs : now;
    const edge = now - settings.retentionDays * DAY;
    const { from, to } = ctx.store.clamp(Math.max(q.startTime ?? edge, edge), q.endTime !== undefined ? q.endTime - 1 : horizon, horizon);

    let total = 0;
    const counts = new Map<string, number>();
    const page: Entry<UserAction>[] = [];
    const end = q.startIndex + q.pageSize;
    for (const e of ctx.store.scan({ from, to, order: 'desc', filter: (r) => scope(r) && q.filter(r) })) {
      if (total >= q.startIndex && total < end) page.push(e);
      total++;
      if (q.getActionCounts) counts.set(e.rec.action, (counts.get(e.rec.action) ?? 0) + 1);
    }
    const wrap = settings.wrapResponseInArray ? '[' : '';
    const head = `${wrap}{"totalResults":${total},"startIndex":${q.startIndex},"itemsPerPage":${settings.itemsPerPageReturned ? page.length : q.pageSize},"resources":[`;
    let tail = ']';
    if (q.getActionCounts) {
      const sorted = [...counts.keys()].sort();
      tail += `,"actionCounts":{${sorted.map((k) => `${JSON.stringify(k)}:${counts.get(k)}`).join(',')}}`;
    }
    tail += settings.wrapResponseInArray ? '}]' : '}';
    return c.body(ctx.store.jsonList(c.env, head, page, tail), 200, { 'content-type': 'application/json' });
  };

  const notAllowed = (c: Context<CoreEnv>) => {
    return icError(405, `Method ${c.req.method} is not allowed on this resource`, { allow: 'GET' });
  };
  app.get(ACCOUNT_PATH, handler('account'));
  app.get(ORGANISATION_PATH, handler('organisation'));
  app.all(ACCOUNT_PATH, notAllowed);
  app.all(ORGANISATION_PATH, notAllowed);
  return app;
}
