/** The two unauthenticated routes: Login (recorded as a UserEvent) and RefreshToken. */
import type { Context } from 'hono';
import { safeEqual } from '../core/auth.js';
import { fail } from '../core/failure.js';
import { reportAuth } from '../core/provider.js';
import { FAILURE_REASON } from '../../fixtures/catalogues/octopai.js';
import type { components } from '../../openapi/generated/octopai.js';
import { LOGIN_REFUSED, REFRESH_REFUSED } from './errors.js';
import { tenantFor, type OctopaiUser, type OctopaiWorld, type Tenant } from './events.js';
import { field, json, jsonBody, type JsonObject } from './http.js';
import { recordAttempt } from './records.js';
import type { OctopaiContext } from './state.js';
import type { OctopaiTokens } from './tokens.js';

type LoginRequest = components['schemas']['LoginRequest'];
type RefreshRequest = components['schemas']['RefreshRequest'];
type Handler = (c: Context) => Promise<Response>;

type LoginFields = { ok: true; userName: string; password: string } | { ok: false; userName: string | null; error: string };

/**
 * Login's field checks, in order: a JSON object, string fields, both present. The user name is
 * kept when it is a string, even on failure: it goes into the envelope and the LoginFailed event.
 */
function loginFields(body: JsonObject | null): LoginFields {
  if (!body) return { ok: false, userName: null, error: 'Invalid request body' };
  const name = field(body, 'username' satisfies Lowercase<keyof LoginRequest>);
  const password = field(body, 'password' satisfies Lowercase<keyof LoginRequest>);
  const userName = typeof name === 'string' ? name : null;
  const wrongType = (name != null && typeof name !== 'string') || (password != null && typeof password !== 'string');
  if (wrongType) return { ok: false, userName, error: 'Invalid request body' };
  if (!userName?.trim() || typeof password !== 'string' || password === '') return { ok: false, userName, error: 'Username and password are required' };
  return { ok: true, userName, password };
}

/** The user with this name and password, enabled and not locked out; a failed attempt counts towards the lock-out. */
function checkCredentials(ctx: OctopaiContext, t: Tenant, userName: string, password: string): { ok: true; user: OctopaiUser } | { ok: false; error: string } {
  const user = t.byName.get(userName.toLowerCase());
  const failures = ctx.state.failures;
  const key = `${t.name}\n${userName.toLowerCase()}`;
  const limit = ctx.settings.lockoutAfterFailures;
  if (user && limit > 0 && (failures[key] ?? 0) >= limit) return { ok: false, error: 'User is locked' };
  if (!user || !user.enabled || !safeEqual(password, user.password)) {
    if (user && limit > 0) failures[key] = (failures[key] ?? 0) + 1;
    return { ok: false, error: FAILURE_REASON };
  }
  delete failures[key];
  return { ok: true, user };
}

/** Login: every attempt, refused or not, becomes a Login or LoginFailed event. */
export function login(ctx: OctopaiContext, world: OctopaiWorld, tokens: OctopaiTokens): Handler {
  return async (c) => {
    const t = tenantFor(world, c.req.header('host'));
    const refuse = (kind: 'badRequest' | 'unauthenticated', userName: string | null, error: string): never => {
      recordAttempt(ctx, c, t, 'LoginFailed', userName, error);
      reportAuth(c, { outcome: 'refused', reason: error });
      return fail[kind](error, { code: LOGIN_REFUSED, detail: { userName } });
    };
    const b = await jsonBody(c, ctx.settings.maxBodyBytes);
    if (!b.ok && b.why === 'too_large') {
      recordAttempt(ctx, c, t, 'LoginFailed', null, 'Request body too large');
      reportAuth(c, { outcome: 'refused', reason: 'request body too large' });
      return fail.tooLarge('request body too large');
    }
    const f = loginFields(b.ok ? b.body : null);
    if (!f.ok) return refuse('badRequest', f.userName, f.error);
    const check = checkCredentials(ctx, t, f.userName.trim(), f.password);
    if (!check.ok) return refuse('unauthenticated', f.userName, check.error);
    recordAttempt(ctx, c, t, 'Login', f.userName, null);
    reportAuth(c, { outcome: 'ok' });
    return json(await tokens.issue(t, check.user));
  };
}

/** RefreshToken: the access token (expired or not) and the refresh token, as a string or Login's `{token}` object. */
export function refreshToken(ctx: OctopaiContext, world: OctopaiWorld, tokens: OctopaiTokens): Handler {
  return async (c) => {
    const t = tenantFor(world, c.req.header('host'));
    const b = await jsonBody(c, ctx.settings.maxBodyBytes);
    if (!b.ok && b.why === 'too_large') return fail.tooLarge('request body too large');
    const badRequest = (error: string) => fail.badRequest(error, { code: REFRESH_REFUSED, detail: { userName: null } });
    if (!b.ok || !b.body) return badRequest('Invalid request body');
    const access = field(b.body, 'accesstoken' satisfies Lowercase<keyof RefreshRequest>);
    let rt = field(b.body, 'refreshtoken' satisfies Lowercase<keyof RefreshRequest>);
    if (rt && typeof rt === 'object' && !Array.isArray(rt)) rt = field(rt as JsonObject, 'token');
    if (typeof access !== 'string' || !access || typeof rt !== 'string' || !rt) return badRequest('Access token and refresh token are required');
    const body = await tokens.refresh(t, access, rt);
    if (!body) {
      reportAuth(c, { outcome: 'refused', reason: 'invalid refresh token' });
      return fail.unauthenticated('Invalid refresh token', { code: REFRESH_REFUSED, detail: { userName: null } });
    }
    reportAuth(c, { outcome: 'ok' });
    return json(body);
  };
}
