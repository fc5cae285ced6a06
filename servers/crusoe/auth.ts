import type { MiddlewareHandler } from 'hono';
import { safeEqual } from '../core/auth.js';
import { Memo } from '../core/memo.js';
import { reportAuth, type AuthInfo, type CoreEnv } from '../core/provider.js';
import { parseTime } from '../core/time.js';
import type { CrusoeWorld } from './events.js';
import { parseQueryString, signMessage, signingMessage } from './signature.js';
import { crusoeError } from './errors.js';

export interface CrusoeAuthOptions {
  world: CrusoeWorld;
  skewSeconds: number;
  strictQueryOrder: boolean;
}

// Clients sign with whole-second timestamps: the same string arrives many times a second.
const stamps = new Memo<number | null>(256);

/** Decoded path as received; the raw path when it does not decode. */
function decodedPath(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function rawQueryOf(url: string): string {
  const i = url.indexOf('?');
  if (i < 0) return '';
  const h = url.indexOf('#', i);
  return url.slice(i + 1, h < 0 ? undefined : h);
}

/** `version:keyId:signature`, each part non-empty. */
function credentialParts(s: string): [string, string, string] | null {
  const a = s.indexOf(':');
  const b = s.indexOf(':', a + 1);
  if (a <= 0 || b <= a + 1 || b === s.length - 1 || s.indexOf(':', b + 1) >= 0) return null;
  return [s.slice(0, a), s.slice(a + 1, b), s.slice(b + 1)];
}

const OK: AuthInfo = Object.freeze({ outcome: 'ok' });

/** The failure ladder of crusoe.md section 3.4, in order; the first failing check answers. */
export function crusoeAuth(opts: CrusoeAuthOptions): MiddlewareHandler<CoreEnv> {
  const { world } = opts;
  const orgId = world.organizationId.toLowerCase();
  return async (c, next) => {
    const refuse = (status: 401 | 403, code: string, message: string, canonical?: string) => {
      reportAuth(c, { outcome: 'refused', reason: message, ...(canonical ? { canonical } : {}) });
      return crusoeError(status, code, message);
    };
    const header = c.req.header('authorization') ?? '';
    if (!header.startsWith('Bearer ')) return refuse(401, 'bad_credential', 'missing or malformed authorization header');
    const parts = credentialParts(header.slice(7).trim());
    if (!parts) return refuse(401, 'bad_credential', 'missing or malformed authorization header');
    const [version, keyId, signature] = parts;
    if (version !== '1.0') return refuse(401, 'bad_credential', 'unsupported signature version');
    const member = world.byKey.get(keyId);
    if (!member) return refuse(401, 'bad_credential', 'invalid access key');
    const timestamp = c.req.header('x-crusoe-timestamp');
    const signedAt = timestamp === undefined ? null : stamps.get(timestamp, () => parseTime(timestamp));
    if (timestamp === undefined || signedAt === null) return refuse(401, 'bad_credential', 'missing or invalid X-Crusoe-Timestamp header');
    // Freshness against the machine's real clock: clients sign with theirs, whatever the emulator clock says.
    if (Math.abs(Date.now() - signedAt) > opts.skewSeconds * 1000) {
      return refuse(401, 'bad_credential', 'request timestamp outside the allowed window');
    }
    const raw = rawQueryOf(c.req.url);
    const q = parseQueryString(raw);
    if (q === null) return refuse(401, 'bad_credential', 'malformed query string');
    const { pairs } = q;
    if (opts.strictQueryOrder) {
      const keys = pairs.map(([k]) => k);
      if (keys.some((k, i) => i > 0 && Buffer.compare(Buffer.from(keys[i - 1]), Buffer.from(k)) > 0)) {
        return refuse(401, 'bad_credential', 'query parameters must be sorted');
      }
    }
    const message = signingMessage(decodedPath(c.req.path), q.canonical, c.req.method, timestamp);
    const expected = signMessage(member.secretKey, message);
    if (!safeEqual(expected, signature.replace(/=+$/, ''))) return refuse(401, 'bad_credential', 'signature mismatch', message);
    const org = c.req.param('organization_id') ?? '';
    if (!member.admin || org.toLowerCase() !== orgId) {
      return refuse(403, 'unauthorized', `user is not an admin of organization ${org}`);
    }
    reportAuth(c, OK);
    await next();
  };
}
