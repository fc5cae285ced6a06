import type { Context } from 'hono';
import type { RateLimiter } from '../core/ratelimit.js';
import { getConnInfo } from '@hono/node-server/conninfo';
import { parseBasic, safeEqual } from '../core/auth.js';
import { reportAuth, type CoreEnv } from '../core/provider.js';
import { icError, rateLimited, unauthorized } from './errors.js';
import type { ApiKey, InstaclustrWorld, KeyType } from './events.js';

export type Endpoint = 'account' | 'organisation';

const ACCEPTS: Record<Endpoint, KeyType[]> = {
  account: ['PROVISIONING', 'READ_ONLY_PROVISIONING'],
  organisation: ['ORGANIZATION_MANAGEMENT'],
};

/** IPv4 or IPv6 text to [family, value]; IPv4-mapped IPv6 counts as IPv4. */
function parseIp(text: string): [4 | 6, bigint] | null {
  const s = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(mapped ? mapped[1] : s);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return null;
    return [4, parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n)];
  }
  if (!s.includes(':')) return null;
  const [head, tail] = s.split('::');
  if (s.split('::').length > 2) return null;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return [6, groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n)];
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const a = parseIp(ip);
  const n = parseIp(net);
  if (!a || !n || a[0] !== n[0]) return false;
  const width = a[0] === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return false;
  const shift = BigInt(width - bits);
  return a[1] >> shift === n[1] >> shift;
}

function clientAddress(c: Context<CoreEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

export interface AuthOptions {
  world: InstaclustrWorld;
  limiter: RateLimiter;
  legacy429: boolean;
}

/** The failure ladder of instaclustr.md section 3.2, steps 1-6; the key on success. */
export function authenticate(c: Context<CoreEnv>, endpoint: Endpoint, opts: AuthOptions): ApiKey | Response {
  const refuse = (res: Response, reason: string) => {
    reportAuth(c, { outcome: 'refused', reason });
    return res;
  };
  const creds = parseBasic(c.req.header('authorization'));
  if (!creds) return refuse(unauthorized('Missing or malformed Basic credentials'), 'missing or malformed Basic credentials');
  const keys = opts.world.keysByUser.get(creds.user);
  if (!keys) return refuse(unauthorized('Invalid username or API key'), 'unknown username');
  let key: ApiKey | undefined;
  // Compare against every key so timing does not reveal which one matched.
  for (const k of keys) if (safeEqual(k.apiKey, creds.pass) && k.active) key = k;
  if (!key) return refuse(unauthorized('Invalid username or API key'), 'wrong or revoked API key');
  const addr = clientAddress(c);
  const allowed = addr === undefined ? key.allowedCidrs.some((r) => /\/0$/.test(r)) : key.allowedCidrs.some((r) => ipInCidr(addr, r));
  if (!allowed) return refuse(unauthorized('Request address is not permitted for this API key'), `address ${addr ?? 'unknown'} outside ${key.allowedCidrs.join(', ')}`);
  if (!opts.limiter.take(key.userName).ok) return refuse(rateLimited(opts.legacy429), 'rate limit exceeded');
  if (!ACCEPTS[endpoint].includes(key.keyType)) {
    return refuse(icError(403, 'This API key type cannot access this endpoint'), `${key.keyType} key on the ${endpoint} endpoint`);
  }
  reportAuth(c, { outcome: 'ok' });
  return key;
}
