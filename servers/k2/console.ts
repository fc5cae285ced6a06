import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { components } from '../../openapi/generated/k2-cloudtrail.js';
import { readJsonBody } from '../core/body.js';
import { fail } from '../core/failure.js';
import type { K2Env } from './auth.js';
import type { K2Api } from './ops.js';
import type { Reports } from './reports.js';
import type { K2Context } from './state.js';
import { bucketNameValid } from './trails.js';
import type { K2World } from './world.js';

type Bucket = components['schemas']['Bucket'];

const MAX_BODY = 1_000_000;
const BASE = '/_console/k2/customers/:customer';

// Only requests that are console operations answer NoSuchCustomer; anything else falls through
// to the S3 routes or the 404 (`_console` is no valid bucket), so each request has one documented answer.
const CONSOLE_OPS: Array<[string, RegExp]> = [
  ['GET', /^\/activity-log\/subscription$/],
  ['PUT', /^\/activity-log\/subscription$/],
  ['GET', /^\/buckets$/],
  ['PUT', /^\/buckets\/[^/]+$/],
  ['DELETE', /^\/buckets\/[^/]+$/],
  ['POST', /^\/activity-log\/reports$/],
  ['GET', /^\/activity-log\/reports$/],
  ['GET', /^\/activity-log\/reports\/[^/]+$/],
  ['GET', /^\/activity-log\/reports\/[^/]+\/content$/],
];

/** A console operation answers in the console's dialect, and only for the emulated customer. */
function consoleOnly(world: K2World): MiddlewareHandler<K2Env> {
  return async (c, next) => {
    const rest = new URL(c.req.url).pathname.replace(/^\/_console\/k2\/customers\/[^/]+/, '');
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    if (CONSOLE_OPS.some(([m, re]) => m === method && re.test(rest))) {
      c.set('dialect', 'console');
      const customer = c.req.param('customer');
      if (customer !== world.customer) fail.notFound(`No customer named '${customer}'.`, { code: 'NoSuchCustomer' });
    }
    await next();
  };
}

async function jsonBody(c: Context<K2Env>): Promise<unknown> {
  const r = await readJsonBody(c.req.raw, MAX_BODY);
  if (!r.ok) {
    const extra = { code: 'InvalidParameter' };
    return r.why === 'too_large' ? fail.tooLarge('body too large', extra) : fail.badRequest('body is not valid JSON', extra);
  }
  return r.empty ? {} : r.value;
}

const bucketJson = (b: { name: string; createdAt: number }): Bucket => ({ name: b.name, createdAt: new Date(b.createdAt).toISOString() });

/** The emulator console (no auth, not recorded): subscription, buckets and reports. */
export function consoleRoutes(ctx: K2Context, world: K2World, api: K2Api, reports: Reports): Hono<K2Env> {
  const app = new Hono<K2Env>();
  app.use(`${BASE}/*`, consoleOnly(world));
  subscriptionRoutes(app, ctx, api);
  bucketRoutes(app, ctx, api);
  reportRoutes(app, reports);
  return app;
}

function subscriptionRoutes(app: Hono<K2Env>, ctx: K2Context, api: K2Api): void {
  app.get(`${BASE}/activity-log/subscription`, (c) => c.json({ active: ctx.state.subscriptionActive }));
  app.put(`${BASE}/activity-log/subscription`, async (c) => {
    const v = await jsonBody(c);
    const given = v && typeof v === 'object' ? (v as Record<string, unknown>).active : undefined;
    const active = typeof given === 'boolean' ? given : fail.badRequest("field 'active' must be true or false", { code: 'InvalidParameter' });
    await api.delivery.catchUp();
    const s = ctx.state;
    if (active && !s.subscriptionActive) {
      // Periods that passed while the subscription was off are never delivered.
      const due = Math.floor(ctx.clock.now() / 300_000) * 300_000;
      for (const t of s.trails) t.deliveredUntil = Math.max(t.deliveredUntil, due);
    }
    s.subscriptionActive = active;
    return c.json({ active: s.subscriptionActive });
  });
}

function bucketRoutes(app: Hono<K2Env>, ctx: K2Context, api: K2Api): void {
  app.get(`${BASE}/buckets`, (c) => c.json({ buckets: ctx.state.buckets.map(bucketJson) }));
  app.put(`${BASE}/buckets/:bucket`, async (c) => {
    const name = c.req.param('bucket');
    if (!bucketNameValid(name)) fail.badRequest(`The specified bucket is not valid: ${name}`, { code: 'InvalidBucketName' });
    await api.delivery.catchUp();
    const s = ctx.state;
    const existing = s.buckets.find((b) => b.name === name);
    if (existing) return c.json(bucketJson(existing), 200);
    const created = { name, createdAt: ctx.clock.now() };
    s.buckets.push(created);
    return c.json(bucketJson(created), 201);
  });
  app.delete(`${BASE}/buckets/:bucket`, async (c) => {
    const name = c.req.param('bucket');
    await api.delivery.catchUp();
    const s = ctx.state;
    if (!s.buckets.some((b) => b.name === name)) fail.notFound(`The specified bucket does not exist: ${name}`, { code: 'NoSuchBucket' });
    s.buckets = s.buckets.filter((b) => b.name !== name);
    s.objects = s.objects.filter((o) => o.bucket !== name);
    return c.body(null, 204);
  });
}

function reportRoutes(app: Hono<K2Env>, reports: Reports): void {
  app.post(`${BASE}/activity-log/reports`, async (c) => c.json(reports.create(await jsonBody(c)), 202));
  app.get(`${BASE}/activity-log/reports`, (c) => c.json({ reports: reports.list() }));
  app.get(`${BASE}/activity-log/reports/:reportId`, (c) => c.json(reports.view(reports.get(c.req.param('reportId')))));
  app.get(`${BASE}/activity-log/reports/:reportId/content`, (c) => {
    const r = reports.get(c.req.param('reportId'));
    if (!reports.isReady(r)) fail.badRequest('The report is still generating.', { code: 'ReportNotReady' });
    return c.body(r.content, 200, {
      'content-type': r.format === 'csv' ? 'text/csv' : 'application/json',
      'content-disposition': `attachment; filename="activity-log-${r.reportId}.${r.format}"`,
    });
  });
}
