import { randomBytes } from 'node:crypto';
import { JwtIssuer, parseBearer, safeEqual } from '../core/auth.js';
import type { Clock } from '../core/clock.js';
import { challenge, empty } from './errors.js';
import { netIso, type OctopaiUser, type OctopaiWorld, type Tenant } from './events.js';

const DAY = 86_400_000;
const AUTH_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/authentication';

export interface OctopaiSettings {
  issuer: string;
  audience: string;
  accessTokenSeconds: number;
  refreshTokenDays: number;
  clockSkewSeconds: number;
  loginFailureStatus: 200 | 401;
  lockoutAfterFailures: number;
}

/** Mutable state that cannot be regenerated: live refresh tokens, failure counters, id counters. */
export interface OctopaiState {
  /** tenant → refresh token → owner (lower-case user name) and expiry (ms). */
  refresh: Record<string, Record<string, { user: string; exp: number }>>;
  /** `tenant\nuser` → consecutive failed logins (only with lockout on). */
  failures: Record<string, number>;
  /** tenant → day → recorded events so far (their id slots). */
  recorded: Record<string, Record<string, number>>;
}

export function emptyState(): OctopaiState {
  return { refresh: {}, failures: {}, recorded: {} };
}

export interface LoginBody {
  accessToken: string;
  expiration: string;
  refreshToken: { token: string; expiration: string };
  userName: string;
  displayName: string;
  userEmail: string | null;
  isAdmin: boolean;
  error: null;
  groupMember: string[];
  authLevel: 'ADMIN' | 'USER';
  displayModules: string;
}

export type CredentialCheck = { ok: true; user: OctopaiUser } | { ok: false; error: string };

/** Token issue, verification and refresh for every tenant, on the emulator clock. */
export class OctopaiTokens {
  private issuers = new Map<string, JwtIssuer>();

  constructor(
    private readonly world: OctopaiWorld,
    private readonly clock: Clock,
    private readonly cfg: OctopaiSettings,
    readonly state: OctopaiState,
  ) {}

  private issuer(t: Tenant): JwtIssuer {
    let i = this.issuers.get(t.name);
    if (!i) this.issuers.set(t.name, (i = new JwtIssuer(t.secret, () => this.clock.now())));
    return i;
  }

  /** Login steps 3 (user, enabled, password) and the optional lock-out. */
  checkCredentials(t: Tenant, userName: string, password: string): CredentialCheck {
    const user = t.byName.get(userName.toLowerCase());
    const key = `${t.name}\n${userName.toLowerCase()}`;
    const limit = this.cfg.lockoutAfterFailures;
    if (user && limit > 0 && (this.state.failures[key] ?? 0) >= limit) return { ok: false, error: 'User is locked' };
    if (!user || !user.enabled || !safeEqual(password, user.password)) {
      if (user && limit > 0) this.state.failures[key] = (this.state.failures[key] ?? 0) + 1;
      return { ok: false, error: 'Invalid username or password' };
    }
    delete this.state.failures[key];
    return { ok: true, user };
  }

  async issue(t: Tenant, user: OctopaiUser): Promise<LoginBody> {
    const now = this.clock.now();
    const iat = Math.floor(now / 1000);
    const claims: Record<string, unknown> = { email: user.userName, unique_name: user.displayName };
    if (user.isAdmin) claims.role = 'IsAdmin';
    Object.assign(claims, { [AUTH_CLAIM]: user.isAdmin ? 'admin' : 'user', nbf: iat - 60, iss: this.cfg.issuer, aud: this.cfg.audience });
    const accessToken = await this.issuer(t).issue(claims, this.cfg.accessTokenSeconds);
    const token = randomBytes(64).toString('base64');
    const refreshExp = now + this.cfg.refreshTokenDays * DAY;
    const live = (this.state.refresh[t.name] ??= {});
    // Drop expired tokens so the state stays small.
    for (const [k, v] of Object.entries(live)) if (v.exp <= now) delete live[k];
    live[token] = { user: user.userName.toLowerCase(), exp: refreshExp };
    return {
      accessToken,
      expiration: netIso(now + this.cfg.accessTokenSeconds * 1000),
      refreshToken: { token, expiration: netIso(refreshExp) },
      userName: user.userName,
      displayName: user.displayName,
      userEmail: user.userEmail,
      isAdmin: user.isAdmin,
      error: null,
      groupMember: user.groups,
      authLevel: user.isAdmin ? 'ADMIN' : 'USER',
      displayModules: this.world.displayModules,
    };
  }

  /** Signature, issuer and audience; the claims even when the token has expired. */
  private async verify(t: Tenant, token: string): Promise<{ claims: Record<string, unknown>; expired: boolean } | null> {
    const r = await this.issuer(t).check(token, { skewSeconds: this.cfg.clockSkewSeconds });
    let claims: Record<string, unknown>;
    if (r.ok) claims = r.claims;
    else if (r.why === 'expired' || r.why === 'not_yet_valid') claims = decodePayload(token) ?? {};
    else return null;
    const aud = claims.aud;
    if (claims.iss !== this.cfg.issuer || !(aud === this.cfg.audience || (Array.isArray(aud) && aud.includes(this.cfg.audience)))) return null;
    if (!r.ok && r.why === 'not_yet_valid') return null;
    return { claims, expired: !r.ok };
  }

  /** UserEvents ladder steps 1-5 (octopai.md section 3.4): the admin user, or the refusal. */
  async authenticate(t: Tenant, header: string | undefined): Promise<{ ok: true; user: OctopaiUser } | { ok: false; res: Response; reason: string }> {
    const token = parseBearer(header);
    if (!token) return { ok: false, res: challenge(), reason: 'missing bearer token' };
    const v = await this.verify(t, token);
    if (!v) return { ok: false, res: challenge(), reason: 'invalid token' };
    if (v.expired) {
      const exp = typeof v.claims.exp === 'number' ? v.claims.exp : 0;
      return { ok: false, res: challenge(`The token expired at '${netIso(exp * 1000)}'`), reason: 'token expired' };
    }
    const user = typeof v.claims.email === 'string' ? t.byName.get(v.claims.email.toLowerCase()) : undefined;
    if (!user || !user.enabled) return { ok: false, res: challenge(), reason: 'unknown or disabled user' };
    if (!user.isAdmin) return { ok: false, res: empty(403), reason: 'user is not an admin' };
    return { ok: true, user };
  }

  /** Exchange a (possibly expired) access token and a live refresh token for a new pair; rotation. */
  async refresh(t: Tenant, accessToken: string, refreshToken: string): Promise<LoginBody | null> {
    const live = this.state.refresh[t.name] ?? {};
    const entry = Object.hasOwn(live, refreshToken) ? live[refreshToken] : undefined;
    if (!entry || entry.exp <= this.clock.now()) return null;
    const v = await this.verify(t, accessToken);
    const email = v && typeof v.claims.email === 'string' ? v.claims.email.toLowerCase() : null;
    if (!email || email !== entry.user) return null;
    const user = t.byName.get(email);
    if (!user || !user.enabled) return null;
    delete live[refreshToken];
    return this.issue(t, user);
  }
}

function decodePayload(token: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}
