import type { MiddlewareHandler } from 'hono';
import { JwtIssuer, parseBearer } from '../core/auth.js';
import { readJsonBody } from '../core/body.js';
import { fail } from '../core/failure.js';
import { reportAuth, type CoreEnv } from '../core/provider.js';
import { INVALID_TOKEN } from './errors.js';
import { netIso, tenantFor, type OctopaiUser, type OctopaiWorld, type Tenant } from './events.js';
import type { OctopaiTokens } from './tokens.js';
import { field, type JsonObject } from './http.js';

/** Larger login bodies are not looked into for a user name; their world is the default one. */
const PRINCIPAL_BODY_LIMIT = 64 * 1024;
/** Marks a login's user name among the principals, which are otherwise access tokens. */
const USER = 'user:';

/**
 * What chooses the world: Login's user name, RefreshToken's access token, or the bearer token.
 * Read from a copy of the body, which the route then reads as usual.
 */
export async function principalOf(req: Request): Promise<string | undefined> {
  const path = new URL(req.url).pathname.toLowerCase();
  if (req.method !== 'POST' || !path.startsWith('/api/useraccount/') || path.endsWith('/userevents')) {
    return parseBearer(req.headers.get('authorization')) ?? undefined;
  }
  const r = await readJsonBody(req.clone(), PRINCIPAL_BODY_LIMIT);
  const body = r.ok ? r.value : undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const name = field(body as JsonObject, path.endsWith('/login') ? 'username' : 'accesstoken');
  if (typeof name !== 'string') return undefined;
  return path.endsWith('/login') ? USER + name.trim().toLowerCase() : name;
}

/** Whether the world handed out this principal: one of its users' names, or a token one of its tenants signed. */
export function ownsPrincipal(world: OctopaiWorld): (principal: string) => boolean {
  const signers = [...world.tenants.values()].map((t) => new JwtIssuer(t.secret, () => 0));
  return (p) => {
    if (!p.startsWith(USER)) return signers.some((s) => s.signedHere(p));
    const name = p.slice(USER.length);
    return [...world.tenants.values()].some((t) => t.byName.has(name));
  };
}

/** Who reads the trail once the bearer token checks out: an enabled admin of the request's tenant. */
export interface OctopaiCaller {
  tenant: Tenant;
  user: OctopaiUser;
}

export type OctopaiEnv = CoreEnv & { Variables: { caller: OctopaiCaller } };

/**
 * The JwtBearer ladder in front of UserEvents, in order: a bearer token, signed by the tenant's key
 * with our issuer and audience, not expired, of a known enabled user (each 401 with the challenge),
 * and that user an admin (403).
 */
export function octopaiAuth(world: OctopaiWorld, tokens: OctopaiTokens, expiresEarly: () => boolean = () => false): MiddlewareHandler<OctopaiEnv> {
  return async (c, next) => {
    const refuse = (reason: string, description?: string): never => {
      reportAuth(c, { outcome: 'refused', reason });
      return fail.unauthenticated(reason, { code: INVALID_TOKEN, ...(description ? { detail: description } : {}) });
    };
    const tenant = tenantFor(world, c.req.header('host'));
    const token = parseBearer(c.req.header('authorization'));
    if (!token) return refuse('missing bearer token');
    const v = await tokens.verify(tenant, token);
    if (!v) return refuse('invalid token');
    // The gauntlet's token expiry: a live token refused as a token that expired between two pages does.
    if (v.expired || expiresEarly()) {
      const exp = typeof v.claims.exp === 'number' ? v.claims.exp : 0;
      return refuse('token expired', `The token expired at '${netIso(exp * 1000)}'`);
    }
    const user = typeof v.claims.email === 'string' ? tenant.byName.get(v.claims.email.toLowerCase()) : undefined;
    if (!user || !user.enabled) return refuse('unknown or disabled user');
    if (!user.isAdmin) {
      reportAuth(c, { outcome: 'refused', reason: 'user is not an admin' });
      return fail.forbidden('user is not an admin');
    }
    reportAuth(c, { outcome: 'ok' });
    c.set('caller', { tenant, user });
    await next();
  };
}
