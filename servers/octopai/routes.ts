import type { IncomingMessage } from 'node:http';
import { readJsonBody } from '../core/body.js';
import { Hono, type Context } from 'hono';
import { reportAuth, type CoreEnv, type ProviderContext } from '../core/provider.js';
import type { Entry } from '../core/store.js';
import type { OctopaiSettings, OctopaiTokens } from './auth.js';
import { empty, json, loginFailure, validationProblem } from './errors.js';
import { DEFAULT_TENANT, RECORDED_ID_OFFSET, eventId, netIso, type OctopaiEvent, type OctopaiWorld, type Tenant } from './events.js';
import { collectParams, parseEvents } from './query.js';

const DAY = 86_400_000;
type C = Context<CoreEnv>;

export interface RouteOptions {
  world: OctopaiWorld;
  tokens: OctopaiTokens;
  settings: OctopaiSettings;
  retentionDays: number;
  trustForwardedFor: boolean;
  maxBodyBytes: number;
}

function isJsonType(ct: string | undefined): boolean {
  if (!ct) return true;
  const media = ct.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || media === 'text/json' || /^application\/[a-z0-9.+-]+\+json$/.test(media);
}

type JsonObject = Record<string, unknown>;
type BodyResult = { ok: true; body: JsonObject | null } | { ok: false; why: 'too_large' | 'content_type' | 'not_json' | 'not_object' };

/** A JSON object body; `null` for an empty body. */
async function jsonBody(c: C, limit: number): Promise<BodyResult> {
  const r = await readJsonBody(c.req.raw, limit);
  if (!r.ok && r.why === 'too_large') return { ok: false, why: 'too_large' };
  if (!isJsonType(c.req.header('content-type')) && !(r.ok && r.empty)) return { ok: false, why: 'content_type' };
  if (!r.ok) return { ok: false, why: 'not_json' };
  if (r.empty) return { ok: true, body: null };
  const v = r.value;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false, why: 'not_object' };
  return { ok: true, body: v as JsonObject };
}

/** A field matched case-insensitively (ASP.NET model binding); the last spelling wins. */
function field(o: JsonObject, name: string): unknown {
  let out: unknown;
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === name) out = v;
  return out;
}

export function octopaiRoutes(ctx: ProviderContext<OctopaiEvent>, opts: RouteOptions): Hono<CoreEnv> {
  const { world, tokens, settings } = opts;
  const app = new Hono<CoreEnv>();

  const tenantOf = (c: C): Tenant => {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
    const label = host.startsWith('[') ? '' : host.split('.')[0];
    return world.tenants.get(label) ?? world.tenants.get(DEFAULT_TENANT)!;
  };

  const clientIp = (c: C): string => {
    if (opts.trustForwardedFor) {
      const first = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
      if (first && /^[0-9a-fA-F:.]+$/.test(first)) return first.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    }
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const addr = incoming?.socket?.remoteAddress ?? '127.0.0.1';
    // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d; the address is a.b.c.d.
    return addr.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  };

  /** Record a Login attempt as a UserEvent at the emulator's now, visible at once. */
  const record = (c: C, t: Tenant, eventType: 'Login' | 'LoginFailed', userName: string | null, details: string | null) => {
    const now = ctx.clock.now();
    const day = String(Math.floor(now / DAY));
    const counters = (tokens.state.recorded[t.name] ??= {});
    const n = (counters[day] = (counters[day] ?? 0) + 1);
    const known = userName ? t.byName.get(userName.toLowerCase()) : undefined;
    const ev: OctopaiEvent = {
      id: eventId(now, RECORDED_ID_OFFSET + n),
      userName,
      userEmail: known ? known.userName : null,
      eventType,
      eventDate: netIso(now),
      ipAddress: clientIp(c),
      userAgent: c.req.header('user-agent') ?? null,
      details,
    };
    if (t.name !== DEFAULT_TENANT) ev.tenant = t.name;
    ctx.store.insert(ev);
  };

  const login = async (c: C) => {
    const t = tenantOf(c);
    const refuse = (status: number, userName: string | null, error: string) => {
      record(c, t, 'LoginFailed', userName, error);
      reportAuth(c, { outcome: 'refused', reason: error });
      return loginFailure(status, userName, error);
    };
    const b = await jsonBody(c, opts.maxBodyBytes);
    if (!b.ok && b.why === 'too_large') {
      record(c, t, 'LoginFailed', null, 'Request body too large');
      reportAuth(c, { outcome: 'refused', reason: 'request body too large' });
      return empty(413);
    }
    if (!b.ok || !b.body) return refuse(400, null, 'Invalid request body');
    const name = field(b.body, 'username');
    const password = field(b.body, 'password');
    const userName = typeof name === 'string' ? name : null;
    if ((name != null && typeof name !== 'string') || (password != null && typeof password !== 'string')) return refuse(400, userName, 'Invalid request body');
    if (!userName?.trim() || typeof password !== 'string' || password === '') return refuse(400, userName, 'Username and password are required');
    const check = tokens.checkCredentials(t, userName.trim(), password);
    if (!check.ok) return refuse(settings.loginFailureStatus, userName, check.error);
    record(c, t, 'Login', userName, null);
    reportAuth(c, { outcome: 'ok' });
    return json(await tokens.issue(t, check.user));
  };

  const refresh = async (c: C) => {
    const t = tenantOf(c);
    const b = await jsonBody(c, opts.maxBodyBytes);
    if (!b.ok && b.why === 'too_large') return empty(413);
    if (!b.ok || !b.body) return loginFailure(400, null, 'Invalid request body');
    const access = field(b.body, 'accesstoken');
    let rt = field(b.body, 'refreshtoken');
    if (rt && typeof rt === 'object' && !Array.isArray(rt)) rt = field(rt as JsonObject, 'token');
    if (typeof access !== 'string' || !access || typeof rt !== 'string' || !rt) {
      return loginFailure(400, null, 'Access token and refresh token are required');
    }
    const body = await tokens.refresh(t, access, rt);
    if (!body) {
      reportAuth(c, { outcome: 'refused', reason: 'invalid refresh token' });
      return loginFailure(401, null, 'Invalid refresh token');
    }
    reportAuth(c, { outcome: 'ok' });
    return json(body);
  };

  const events = async (c: C) => {
    const t = tenantOf(c);
    const auth = await tokens.authenticate(t, c.req.header('authorization'));
    if (!auth.ok) {
      reportAuth(c, { outcome: 'refused', reason: auth.reason });
      return auth.res;
    }
    reportAuth(c, { outcome: 'ok' });
    let body: JsonObject | null = null;
    if (c.req.method === 'POST') {
      const b = await jsonBody(c, opts.maxBodyBytes);
      if (!b.ok) {
        if (b.why === 'too_large') return empty(413);
        const msg = {
          content_type: `Unsupported content type '${c.req.header('content-type')}'; send application/json.`,
          not_json: 'The request body is not valid JSON.',
          not_object: 'The request body must be a JSON object.',
        }[b.why];
        return validationProblem({ $: [msg] });
      }
      body = b.body;
    }
    const now = ctx.clock.now();
    const parsed = parseEvents(collectParams(new URL(c.req.url).searchParams, body), now);
    if (!parsed.ok) return validationProblem(parsed.errors);
    const q = parsed.query;
    const clamped = ctx.store.clamp(Math.max(q.from, now - opts.retentionDays * DAY), q.to, now);
    const tenant = t.name;
    const filter = (e: OctopaiEvent) => (e.tenant ?? DEFAULT_TENANT) === tenant && q.filter(e);
    let skip = (q.pageNumber - 1) * q.pageSize;
    const page: Entry<OctopaiEvent>[] = [];
    for (const e of ctx.store.scan({ from: clamped.from, to: clamped.to, order: 'desc', filter })) {
      if (skip > 0) { skip--; continue; }
      page.push(e);
      if (page.length === q.pageSize) break;
    }
    return json(ctx.store.jsonList(c.env, '[', page, ']'));
  };

  // ASP.NET-style routing: paths match case-insensitively, with or without a trailing slash.
  // The canonical spellings are registered as ordinary routes (so the route table and the spec can
  // be compared); the catch-all serves every other casing from the same table.
  const routes: Record<string, Record<string, (c: C) => Promise<Response>>> = {
    '/api/UserAccount/Login': { POST: login },
    '/api/UserAccount/UserEvents': { GET: events, POST: events },
    '/api/UserAccount/RefreshToken': { POST: refresh },
  };
  const byLower = new Map(Object.entries(routes).map(([path, methods]) => [path.toLowerCase(), methods]));
  for (const [path, methods] of Object.entries(routes)) {
    for (const [method, handler] of Object.entries(methods)) app.on(method, path, (c) => handler(c as C));
  }
  app.all('*', (c) => {
    let path = new URL(c.req.url).pathname.toLowerCase();
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const route = byLower.get(path);
    if (!route) return empty(404);
    const handler = route[c.req.method];
    if (!handler) return empty(405, { allow: Object.keys(route).join(', ') });
    return handler(c);
  });
  return app;
}
