import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { readJsonBody } from '../../../servers/core/body.js';
import { fail } from '../../../servers/core/failure.js';
import type { CoreEnv, ProviderContext } from '../../../servers/core/provider.js';
import { RateLimiter } from '../../../servers/core/ratelimit.js';
import { sampleAuth, type SampleEnv } from './auth.js';
import type { SampleEvent, SampleWorld } from './events.js';
import { queryFromBody, queryFromParams, sealCursor, type QueryContext, type SampleQuery } from './query.js';
import type { SampleSettings } from './settings.js';

const BODY_LIMIT = 64 * 1024;

/** Both routes: auth → rate limit → query → store → the `{events, next_cursor}` envelope. */
export function sampleRoutes(ctx: ProviderContext<SampleEvent, SampleSettings>, world: SampleWorld): Hono<CoreEnv> {
  const app = new Hono<CoreEnv>();
  const auth = sampleAuth(world);
  const limiter = new RateLimiter(ctx.settings.requestsPerMinute, 60_000);
  const qx = (): QueryContext => ({ now: ctx.clock.now(), secret: ctx.secret, maxPageSize: ctx.settings.maxPageSize });

  const throttle: MiddlewareHandler<SampleEnv> = async (c, next) => {
    const limited = limiter.take(c.var.caller.email);
    if (!limited.ok) fail.throttled('rate limit exceeded', limited.retryAfterMs / 1000);
    await next();
  };

  const page = (c: Context<SampleEnv>, q: SampleQuery) => {
    const { from, to } = ctx.store.clamp(q.from, q.to, q.to);
    const filter = q.actions ? (e: SampleEvent) => q.actions!.includes(e.action) : undefined;
    const { entries, more } = ctx.store.page({ from, to, order: 'desc', after: q.after, filter }, q.limit);
    const last = entries[entries.length - 1];
    const next = more && last ? sealCursor(ctx.secret, q, last) : null;
    const body = ctx.store.jsonList(c.env, '{"events":[', entries, `],"next_cursor":${JSON.stringify(next)}}`);
    return c.body(body, 200, { 'content-type': 'application/json' });
  };

  app.get('/v1/events', auth, throttle, (c) => page(c, queryFromParams(new URL(c.req.url).searchParams, qx())));
  app.post('/v1/events/search', auth, throttle, async (c) => {
    const body = await readJsonBody(c.req.raw, BODY_LIMIT);
    if (!body.ok && body.why === 'too_large') fail.tooLarge(`the body is larger than ${BODY_LIMIT} bytes`);
    if (!body.ok) return fail.badRequest('the body is not valid JSON', { detail: { field: 'body' } });
    return page(c, queryFromBody(body.value, ctx.spec, qx()));
  });
  return app;
}
