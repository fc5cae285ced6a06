import { randomBytes } from 'node:crypto';
import { decode } from 'hono/jwt';
import { JwtIssuer } from '../core/auth.js';
import type { components } from '../../openapi/generated/octopai.js';
import { netIso, type OctopaiUser, type OctopaiWorld, type Tenant } from './events.js';
import type { OctopaiContext } from './state.js';

export type LoginBody = components['schemas']['LoginResponse'];

/** A token whose signature, issuer and audience check out; its claims even when it has expired. */
export interface VerifiedToken {
  claims: Record<string, unknown>;
  expired: boolean;
}

export interface OctopaiTokens {
  /** A new access token and refresh token for the user, in the Login response. */
  issue(t: Tenant, user: OctopaiUser): Promise<LoginBody>;
  verify(t: Tenant, token: string): Promise<VerifiedToken | null>;
  /** Exchange a (possibly expired) access token and a live refresh token for a new pair; the old one is spent. */
  refresh(t: Tenant, accessToken: string, refreshToken: string): Promise<LoginBody | null>;
}

const DAY = 86_400_000;
const AUTH_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/authentication';

/** Token issue, verification and refresh for every tenant, on the emulator clock; live refresh tokens in `ctx.state`. */
export function octopaiTokens(ctx: OctopaiContext, world: OctopaiWorld): OctopaiTokens {
  const issuers = new Map<string, JwtIssuer>();
  const issuer = (t: Tenant): JwtIssuer => {
    let i = issuers.get(t.name);
    if (!i) issuers.set(t.name, (i = new JwtIssuer(t.secret, () => ctx.clock.now())));
    return i;
  };

  const issue = async (t: Tenant, user: OctopaiUser): Promise<LoginBody> => {
    const s = ctx.settings;
    const now = ctx.clock.now();
    const accessToken = await issuer(t).issue(claimsOf(user, now, s.jwtIssuer, s.jwtAudience), s.accessTokenSeconds);
    const token = randomBytes(64).toString('base64');
    const refreshExp = now + s.refreshTokenDays * DAY;
    const live = (ctx.state.refresh[t.name] ??= {});
    // Drop expired tokens so the state stays small.
    for (const [k, v] of Object.entries(live)) if (v.exp <= now) delete live[k];
    live[token] = { user: user.userName.toLowerCase(), exp: refreshExp };
    return loginBody(user, world, { accessToken, expiration: netIso(now + s.accessTokenSeconds * 1000) }, { token, expiration: netIso(refreshExp) });
  };

  const verify = async (t: Tenant, token: string): Promise<VerifiedToken | null> => {
    const { jwtIssuer, jwtAudience, clockSkewSeconds } = ctx.settings;
    const r = await issuer(t).check(token, { skewSeconds: clockSkewSeconds });
    if (!r.ok && r.why !== 'expired' && r.why !== 'not_yet_valid') return null;
    // The signature held, so the payload decodes; issuer and audience are checked even on an expired token.
    const claims = r.ok ? r.claims : (decode(token).payload as Record<string, unknown>);
    const aud = claims.aud;
    if (claims.iss !== jwtIssuer || !(aud === jwtAudience || (Array.isArray(aud) && aud.includes(jwtAudience)))) return null;
    if (!r.ok && r.why === 'not_yet_valid') return null;
    return { claims, expired: !r.ok };
  };

  const refresh = async (t: Tenant, accessToken: string, refreshToken: string): Promise<LoginBody | null> => {
    const live = ctx.state.refresh[t.name] ?? {};
    const entry = Object.hasOwn(live, refreshToken) ? live[refreshToken] : undefined;
    if (!entry || entry.exp <= ctx.clock.now()) return null;
    const v = await verify(t, accessToken);
    const email = v && typeof v.claims.email === 'string' ? v.claims.email.toLowerCase() : null;
    if (!email || email !== entry.user) return null;
    const user = t.byName.get(email);
    if (!user || !user.enabled) return null;
    delete live[refreshToken];
    return issue(t, user);
  };

  return { issue, verify, refresh };
}

/** The access token's claims in the vendor's order; `iat` and `exp` are added when it is signed. */
function claimsOf(user: OctopaiUser, now: number, iss: string, aud: string): Record<string, unknown> {
  const nbf = Math.floor(now / 1000) - 60;
  const role = user.isAdmin ? { role: 'IsAdmin' } : {};
  return { email: user.userName, unique_name: user.displayName, ...role, [AUTH_CLAIM]: user.isAdmin ? 'admin' : 'user', nbf, iss, aud };
}

/** The Login response, keys in the vendor's order. */
function loginBody(
  user: OctopaiUser,
  world: OctopaiWorld,
  access: Pick<LoginBody, 'accessToken' | 'expiration'>,
  refreshToken: LoginBody['refreshToken'],
): LoginBody {
  return {
    ...access,
    refreshToken,
    userName: user.userName,
    displayName: user.displayName,
    userEmail: user.userEmail,
    isAdmin: user.isAdmin,
    error: null,
    groupMember: user.groups,
    authLevel: user.isAdmin ? 'ADMIN' : 'USER',
    displayModules: world.displayModules,
  };
}
