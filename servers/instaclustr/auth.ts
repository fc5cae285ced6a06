import { BlockList, isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { parseBasic, safeEqual } from '../core/auth.js';
import { fail } from '../core/failure.js';
import { reportAuth, type CoreEnv } from '../core/provider.js';
import type { RateLimiter } from '../core/ratelimit.js';
import type { ApiKey, InstaclustrWorld, KeyType } from './world.js';

export type Endpoint = 'account' | 'organisation';

/** Routes behind the middleware read the authenticated key as `c.get('caller')`. */
export type InstaclustrEnv = CoreEnv & { Variables: { caller: ApiKey } };

const ACCEPTS: Record<Endpoint, KeyType[]> = {
  account: ['PROVISIONING', 'READ_ONLY_PROVISIONING'],
  organisation: ['ORGANIZATION_MANAGEMENT'],
};

type Family = 'ipv4' | 'ipv6';

/** A key's allow-list. IPv4 and IPv6 rules are kept apart: BlockList alone would let `::/0` admit IPv4 callers. */
export interface AllowList {
  v4: BlockList;
  v6: BlockList;
  /** Admits any address: the only rules that admit a caller whose address is unknown. */
  open: boolean;
}

/** Address text to the address and family it is judged by; IPv4-mapped IPv6 counts as IPv4. */
function addressOf(text: string): { address: string; family: Family } | null {
  const s = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  const address = mapped ? mapped[1] : s;
  const v = isIP(address);
  return v === 4 ? { address, family: 'ipv4' } : v === 6 ? { address, family: 'ipv6' } : null;
}

export function allowListOf(cidrs: string[]): AllowList {
  const list: AllowList = { v4: new BlockList(), v6: new BlockList(), open: cidrs.some((r) => /\/0$/.test(r)) };
  for (const cidr of cidrs) {
    const [net, bitsText] = cidr.split('/');
    const a = addressOf(net);
    if (!a) continue;
    const width = a.family === 'ipv4' ? 32 : 128;
    const bits = bitsText === undefined ? width : Number(bitsText);
    // A malformed rule admits nobody rather than stopping the world from being built.
    if (Number.isInteger(bits) && bits >= 0 && bits <= width) list[a.family === 'ipv4' ? 'v4' : 'v6'].addSubnet(a.address, bits, a.family);
  }
  return list;
}

export function admits(list: AllowList, address: string | undefined): boolean {
  if (address === undefined) return list.open;
  const a = addressOf(address);
  if (!a) return false;
  return a.family === 'ipv4' ? list.v4.check(a.address, 'ipv4') : list.v6.check(a.address, 'ipv6');
}

function clientAddress(c: Context<CoreEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** The API key of a Basic header: users are the company's people in every world, the key is what a world hands out. */
export function principalOf(req: Request): string | undefined {
  return parseBasic(req.headers.get('authorization'))?.pass;
}

export interface AuthDeps {
  world: InstaclustrWorld;
  limiter: RateLimiter;
}

/**
 * Instaclustr's failure ladder: Basic credentials, user, key, the key's address allow-list, the
 * per-user rate limit, then the key type the endpoint accepts. One middleware per endpoint kind;
 * allow-lists are built once for every key of the world.
 */
export function instaclustrAuth({ world, limiter }: AuthDeps): (endpoint: Endpoint) => MiddlewareHandler<InstaclustrEnv> {
  const allowLists = new Map(world.keys.map((k) => [k, allowListOf(k.allowedCidrs)]));
  return (endpoint) => async (c, next) => {
    // The core's reporter takes the core's context; this one only adds `caller` to it.
    const core = c as Context as Context<CoreEnv>;
    const refuse = (reason: string) => reportAuth(core, { outcome: 'refused', reason });
    const creds = parseBasic(c.req.header('authorization'));
    if (!creds) {
      refuse('missing or malformed Basic credentials');
      return fail.unauthenticated('Missing or malformed Basic credentials');
    }
    const keys = world.keysByUser.get(creds.user);
    if (!keys) {
      refuse('unknown username');
      return fail.unauthenticated('Invalid username or API key');
    }
    let key: ApiKey | undefined;
    // Compare against every key so timing does not reveal which one matched.
    for (const k of keys) if (safeEqual(k.apiKey, creds.pass) && k.active) key = k;
    if (!key) {
      refuse('wrong or revoked API key');
      return fail.unauthenticated('Invalid username or API key');
    }
    const addr = clientAddress(core);
    if (!admits(allowLists.get(key)!, addr)) {
      refuse(`address ${addr ?? 'unknown'} outside ${key.allowedCidrs.join(', ')}`);
      return fail.unauthenticated('Request address is not permitted for this API key');
    }
    const taken = limiter.take(key.userName);
    if (!taken.ok) {
      refuse('rate limit exceeded');
      return fail.throttled('Rate Limit Exceeded', taken.retryAfterMs / 1000);
    }
    if (!ACCEPTS[endpoint].includes(key.keyType)) {
      refuse(`${key.keyType} key on the ${endpoint} endpoint`);
      return fail.forbidden('This API key type cannot access this endpoint');
    }
    reportAuth(core, { outcome: 'ok' });
    c.set('caller', key);
    await next();
  };
}
