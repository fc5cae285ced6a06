import { Hono, type MiddlewareHandler } from 'hono';
import { fail, type Failure } from '../core/failure.js';
import { RateLimiter } from '../core/ratelimit.js';
import { k2Auth, type K2Env } from './auth.js';
import { arrive, type CallLog } from './calls.js';
import { OPERATIONS, parseBody } from './query.js';
import type { K2Api } from './ops.js';
import type { K2Context } from './state.js';
import { JSON11 } from './wire.js';
import type { K2World } from './world.js';

const MAX_BODY = 1_000_000;
const SOURCE = 'cloudtrail.amazonaws.com';

/** A CloudTrail client error: an exception name, always a 400 on the wire. */
const clientError = (code: string, message: string, kind: 'bad-request' | 'not-found' | 'forbidden' = 'bad-request') =>
  ({ kind, code, message }) satisfies Failure;

/**
 * Bodies over 1 MB are refused before the signature is checked. The body is read whole first, as
 * before: answering while a client is still sending would reset its connection instead of a 413.
 */
const sizeLimit: MiddlewareHandler<K2Env> = async (c, next) => {
  if ((await c.req.arrayBuffer()).byteLength > MAX_BODY) fail.tooLarge('Request body is too large.', { code: 'RequestEntityTooLargeException' });
  await next();
};

/** `POST /`: CloudTrail's AWS JSON 1.1 operations, named by `X-Amz-Target`. */
export function cloudTrailRoutes(ctx: K2Context, world: K2World, api: K2Api, calls: CallLog): Hono<K2Env> {
  const app = new Hono<K2Env>();
  const limiter = new RateLimiter(ctx.settings.lookupEventsPerSecond, 1000);
  const auth = k2Auth('cloudtrail', { world, allowedRegions: ctx.settings.allowedRegions });

  app.post('/', arrive(ctx, 'cloudtrail'), sizeLimit, auth, async (c) => {
    const requestId = c.get('requestId');
    const target = c.req.header('x-amz-target') ?? '';
    const op = target.slice(target.lastIndexOf('.') + 1);
    const spec = Object.hasOwn(OPERATIONS, op) ? OPERATIONS[op] : undefined;
    if (!spec) {
      const rec = op ? { source: SOURCE, name: op, readOnly: false, requestParameters: {}, resources: [], requestId } : undefined;
      return calls.refuse(c, rec, clientError('UnknownOperationException', `Unknown operation: ${op || target}`));
    }
    const parsed = parseBody(new Uint8Array(await c.req.arrayBuffer()), spec.members);
    const params = parsed.ok ? parsed.input : parsed.raw;
    const base = { source: SOURCE, name: op, readOnly: spec.readOnly, requestParameters: params, resources: api.resourcesOf(params), requestId };
    if (!parsed.ok) return calls.refuse(c, base, clientError('SerializationException', parsed.message));
    // Not recorded: an inactive subscription logs nothing.
    if (!ctx.state.subscriptionActive) {
      const message = `The Activity Log subscription is inactive for customer ${world.customer}.`;
      return calls.refuse(c, undefined, clientError('OperationNotPermittedException', message, 'forbidden'));
    }
    const user = c.get('caller').user;
    if (!user.admin) {
      const message = `User ${user.username} is not a member of the ActivityLogAdministrators group.`;
      return calls.refuse(c, base, clientError('AccessDeniedException', message, 'forbidden'));
    }
    const allowed = op === 'LookupEvents' ? limiter.take(op) : { ok: true as const };
    if (!allowed.ok) {
      const retryAfterSeconds = allowed.retryAfterMs / 1000;
      return calls.refuse(c, base, { kind: 'throttled', code: 'ThrottlingException', message: 'Rate exceeded', retryAfterSeconds });
    }
    const r = await api.run(op, parsed.input);
    if (r.error) return calls.refuse(c, { ...base, resources: r.resources }, clientError(r.error.code, r.error.message, r.error.kind));
    const entry = calls.record(c, { ...base, resources: r.resources, output: r.output });
    if (entry) r.onRecorded?.(entry);
    return c.body(r.body ?? '{}', 200, { 'content-type': JSON11, 'x-amzn-requestid': requestId });
  });
  return app;
}
