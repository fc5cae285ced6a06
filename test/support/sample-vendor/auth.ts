import type { Context, MiddlewareHandler } from 'hono';
import { parseBearer } from '../../../servers/core/auth.js';
import { fail } from '../../../servers/core/failure.js';
import { reportAuth, type CoreEnv } from '../../../servers/core/provider.js';
import type { Caller, SampleWorld } from './events.js';

export type SampleEnv = CoreEnv & { Variables: { caller: Caller } };

/** The failure ladder, first failing step answers: no header, not a bearer token, unknown token, missing scope. */
export function sampleAuth(world: SampleWorld): MiddlewareHandler<SampleEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) refuse(c, 'no authorization header', () => fail.unauthenticated('a bearer token is required', { code: 'missing_token' }));
    const token = parseBearer(header);
    if (token === null) refuse(c, 'not a bearer token', () => fail.unauthenticated('the authorization header must be "Bearer <token>"'));
    const caller = world.tokens[token];
    if (!caller) refuse(c, 'unknown token', () => fail.unauthenticated('the token is not valid'));
    if (!caller.scopes.includes('audit:read')) refuse(c, 'scope audit:read missing', () => fail.forbidden('the token lacks the audit:read scope'));
    reportAuth(c, { outcome: 'ok' });
    c.set('caller', caller);
    await next();
  };
}

/** Record the refusal for the request log, then throw the vendor failure. */
function refuse(c: Context<SampleEnv>, reason: string, failure: () => never): never {
  reportAuth(c, { outcome: 'refused', reason });
  return failure();
}
