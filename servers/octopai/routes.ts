import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { fail } from '../core/failure.js';
import type { CoreEnv, FeedTruth } from '../core/provider.js';
import type { Entry } from '../core/store.js';
import { octopaiAuth, type OctopaiEnv } from './auth.js';
import { METHOD_NOT_ALLOWED } from './errors.js';
import { DEFAULT_TENANT, type OctopaiEvent, type OctopaiWorld } from './events.js';
import { json } from './http.js';
import { login, refreshToken } from './login.js';
import { eventsQuery, type EventsQuery } from './query.js';
import type { OctopaiContext } from './state.js';
import { octopaiTokens } from './tokens.js';

const DAY = 86_400_000;
type Handler = (c: Context<CoreEnv>) => Promise<Response>;

export function octopaiRoutes(ctx: OctopaiContext, world: OctopaiWorld): Hono<CoreEnv> {
  const tokens = octopaiTokens(ctx, world);
  const events = behind(
    octopaiAuth(world, tokens, () => ctx.faults.expiresToken()),
    userEvents(ctx),
  );
  return aspNetRouting({
    '/api/UserAccount/Login': { POST: login(ctx, world, tokens) },
    '/api/UserAccount/UserEvents': { GET: events, POST: events },
    '/api/UserAccount/RefreshToken': { POST: refreshToken(ctx, world, tokens) },
  });
}

/** UserEvents: the caller's tenant's trail within retention, newest first, one page of it. */
function userEvents(ctx: OctopaiContext): (c: Context<OctopaiEnv>) => Promise<Response> {
  return async (c) => {
    const now = ctx.clock.now();
    const q = await eventsQuery(c, now, ctx.settings.maxBodyBytes);
    const tenant = c.get('caller').tenant.name;
    const page = pageOf(ctx, q, now, (e) => (e.tenant ?? DEFAULT_TENANT) === tenant && q.filter(e));
    return json(ctx.store.jsonList(c.env, '[', page, ']'));
  };
}

/** The default tenant's trail, as the manifest's credentials read it. */
export function octopaiFeeds(ctx: OctopaiContext): Record<string, FeedTruth> {
  const own = (e: OctopaiEvent) => (e.tenant ?? DEFAULT_TENANT) === DEFAULT_TENANT;
  return { 'user-events': (from, to) => ctx.store.wire({ from, to, order: 'desc', filter: own }) };
}

function pageOf(ctx: OctopaiContext, q: EventsQuery, now: number, filter: (e: OctopaiEvent) => boolean): Entry<OctopaiEvent>[] {
  const { from, to } = ctx.store.clamp(Math.max(q.from, now - ctx.settings.retentionDays * DAY), q.to, now);
  let skip = (q.pageNumber - 1) * q.pageSize;
  const page: Entry<OctopaiEvent>[] = [];
  for (const e of ctx.store.scan({ from, to, order: 'desc', filter })) {
    if (skip > 0) {
      skip--;
      continue;
    }
    page.push(e);
    if (page.length === q.pageSize) break;
  }
  return page;
}

/**
 * The bearer middleware and the handler it guards as one handler: the case-insensitive catch-all
 * calls it outside Hono's chain.
 */
function behind(auth: MiddlewareHandler<OctopaiEnv>, handler: (c: Context<OctopaiEnv>) => Promise<Response>): Handler {
  return async (core) => {
    // The middleware sets `caller` before it lets the handler run.
    const c = core as unknown as Context<OctopaiEnv>;
    let res: Response | undefined;
    await auth(c, async () => {
      res = await handler(c);
    });
    return res!;
  };
}

/**
 * ASP.NET-style routing: paths match case-insensitively, with or without a trailing slash; a known
 * path with another method is 405 with `Allow`. The canonical spellings are registered as ordinary
 * routes (so the route table and the spec can be compared); the catch-all serves every other
 * spelling from the same table.
 */
function aspNetRouting(routes: Record<string, Record<string, Handler>>): Hono<CoreEnv> {
  const app = new Hono<CoreEnv>();
  for (const [path, methods] of Object.entries(routes)) {
    for (const [method, handler] of Object.entries(methods)) app.on(method, path, handler);
  }
  const byLower = new Map(Object.entries(routes).map(([path, methods]) => [path.toLowerCase(), methods]));
  app.all('*', (c) => {
    let path = new URL(c.req.url).pathname.toLowerCase();
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const route = byLower.get(path);
    if (!route) return fail.notFound('route not found');
    const handler = route[c.req.method];
    if (!handler) return fail.notFound('method not allowed', { code: METHOD_NOT_ALLOWED, detail: { allow: Object.keys(route).join(', ') } });
    return handler(c);
  });
  return app;
}
