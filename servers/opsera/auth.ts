import type { Context } from 'hono';
import { JwtIssuer, parseBearer } from '../core/auth.js';
import { reportAuth, type CoreEnv } from '../core/provider.js';
import { LOG_SCOPES } from '../../fixtures/catalogues/opsera.js';
import { opseraError, type ErrorFormat } from './errors.js';
import type { OpseraUser, OpseraWorld, TokenMeta } from './events.js';

export interface OpseraAuthOptions {
  world: OpseraWorld;
  jwt: JwtIssuer;
  /** Token ids deactivated by their owner (mutable state), on top of the seed's inactive tokens. */
  isActive(token: TokenMeta): boolean;
  allowedRoles: readonly string[];
  format: ErrorFormat;
  /** Called once the token is authenticated (ladder step 6 passed), before scope and role checks. */
  onAuthenticated(token: TokenMeta, c: Context<CoreEnv>): void;
}

export type AuthResult = { ok: true; token: TokenMeta; user: OpseraUser } | { ok: false; res: Response };

/** The failure ladder of opsera.md section 3.2, in order; the first failing step answers. */
export function opseraAuthenticator(opts: OpseraAuthOptions): (c: Context<CoreEnv>) => Promise<AuthResult> {
  const { world } = opts;
  return async (c) => {
    const refuse = (status: 401 | 403, reason: string): AuthResult => {
      reportAuth(c, { outcome: 'refused', reason });
      return { ok: false, res: opseraError(status, status === 401 ? 'Unauthorized' : 'Forbidden', opts.format) };
    };
    // 1. Bearer scheme with a token.
    const raw = parseBearer(c.req.header('authorization'));
    if (!raw) return refuse(401, 'missing or malformed Authorization header');
    // 2-3. Well-formed, signed by the emulator, not expired on the emulator clock.
    const checked = await opts.jwt.check(raw);
    if (!checked.ok) return refuse(401, `token ${checked.why}`);
    const claims = checked.claims;
    // 4. A token the emulator issued, with the claims it was issued with.
    const token = typeof claims.token_id === 'string' ? world.tokens.get(claims.token_id) : undefined;
    if (!token || claims.user_id !== token.user_id) return refuse(401, 'unknown token');
    // 5. The owner still exists and is active.
    const user = world.users.get(token.user_id);
    if (!user || !user.active) return refuse(401, 'token owner is not active');
    // 6. Not deactivated by its owner.
    if (!opts.isActive(token)) return refuse(401, 'token deactivated');
    opts.onAuthenticated(token, c);
    // 7. Scope fits the log routes.
    if (!LOG_SCOPES.includes(token.scope)) return refuse(403, `scope ${token.scope} does not allow the audit logs`);
    // 8. Role-based access of the owner.
    if (!opts.allowedRoles.includes(user.siteRole)) return refuse(403, `site role ${user.siteRole} may not read the audit logs`);
    reportAuth(c, { outcome: 'ok' });
    return { ok: true, token, user };
  };
}
