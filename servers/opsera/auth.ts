import type { Context, MiddlewareHandler } from 'hono';
import { LOG_SCOPES } from '../../fixtures/catalogues/opsera.js';
import { parseBearer, type JwtIssuer } from '../core/auth.js';
import { fail } from '../core/failure.js';
import { reportAuth, type CoreEnv } from '../core/provider.js';
import type { OpseraContext } from './state.js';
import { recordUse } from './tokens.js';
import type { OpseraUser, OpseraWorld, TokenMeta } from './world.js';

export interface OpseraCaller {
  token: TokenMeta;
  user: OpseraUser;
}

export type OpseraEnv = CoreEnv & { Variables: { caller: OpseraCaller } };

function refuse(c: Context<OpseraEnv>, kind: 'unauthenticated' | 'forbidden', reason: string): never {
  reportAuth(c, { outcome: 'refused', reason });
  return kind === 'unauthenticated' ? fail.unauthenticated(reason) : fail.forbidden(reason);
}

/** The bearer token: each world signs its own, so the token alone tells its world. */
export function principalOf(req: Request): string | undefined {
  return parseBearer(req.headers.get('authorization')) ?? undefined;
}

/** The token is well-formed, signed by the emulator, current, issued as presented, and it and its owner are active. */
async function authenticate(c: Context<OpseraEnv>, world: OpseraWorld, jwt: JwtIssuer): Promise<OpseraCaller> {
  const raw = parseBearer(c.req.header('authorization'));
  if (!raw) return refuse(c, 'unauthenticated', 'missing or malformed Authorization header');
  // Expiry is judged on the emulator clock.
  const checked = await jwt.check(raw);
  if (!checked.ok) return refuse(c, 'unauthenticated', `token ${checked.why}`);
  const { claims } = checked;
  const token = typeof claims.token_id === 'string' ? world.tokens.get(claims.token_id) : undefined;
  if (!token || claims.user_id !== token.user_id) return refuse(c, 'unauthenticated', 'unknown token');
  const user = world.users.get(token.user_id);
  if (!user?.active) return refuse(c, 'unauthenticated', 'token owner is not active');
  if (!token.active) return refuse(c, 'unauthenticated', 'token deactivated');
  return { token, user };
}

/**
 * Opsera's failure ladder, in order, the first failing step answering: an authentic token of an
 * active owner (401), then a scope that fits the log routes and a site role allowed to read them (403).
 */
export function opseraAuth(ctx: OpseraContext, world: OpseraWorld, jwt: JwtIssuer): MiddlewareHandler<OpseraEnv> {
  const { allowedRoles, logRefusedTokenCalls } = ctx.settings;
  return async (c, next) => {
    const { token, user } = await authenticate(c, world, jwt);
    // Opsera logs every authenticated call before answering it, refused ones included.
    if (logRefusedTokenCalls) recordUse(ctx, world, token, c.req.url);
    if (!LOG_SCOPES.includes(token.scope)) refuse(c, 'forbidden', `scope ${token.scope} does not allow the audit logs`);
    if (!allowedRoles.includes(user.siteRole)) refuse(c, 'forbidden', `site role ${user.siteRole} may not read the audit logs`);
    reportAuth(c, { outcome: 'ok' });
    c.set('caller', { token, user });
    await next();
  };
}
