import type { MiddlewareHandler } from 'hono';
import { safeEqual } from '../core/auth.js';
import { fail } from '../core/failure.js';
import { Memo } from '../core/memo.js';
import { reportAuth, type AuthInfo, type CoreEnv } from '../core/provider.js';
import { parseTime } from '../core/time.js';
import type { CrusoeWorld, Member } from './events.js';
import type { CrusoeSettings } from './settings.js';
import { parseQueryString, rawQueryOf, signMessage, signingMessage } from './signature.js';

/** What a Crusoe route sees once the signature checks out: the organization member whose key signed. */
export type CrusoeEnv = CoreEnv & { Variables: { caller: Member } };

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

/** `version:keyId:signature`, each part non-empty. */
function credentialParts(s: string): [string, string, string] | null {
  const a = s.indexOf(':');
  const b = s.indexOf(':', a + 1);
  if (a <= 0 || b <= a + 1 || b === s.length - 1 || s.indexOf(':', b + 1) >= 0) return null;
  return [s.slice(0, a), s.slice(a + 1, b), s.slice(b + 1)];
}

/** The access key id a request is signed with, whatever else is wrong with it. */
export function accessKeyOf(req: Request): string | undefined {
  const header = req.headers.get('authorization') ?? '';
  return header.startsWith('Bearer ') ? credentialParts(header.slice(7).trim())?.[1] : undefined;
}

const OK: AuthInfo = Object.freeze({ outcome: 'ok' });

/**
 * Crusoe's failure ladder, in order (header, version, key, timestamp, freshness, query, signature,
 * organization admin); the first failing check answers.
 */
export function crusoeAuth(world: CrusoeWorld, settings: CrusoeSettings): MiddlewareHandler<CrusoeEnv> {
  const orgId = world.organizationId.toLowerCase();
  return async (c, next) => {
    const refuse = (message: string, canonical?: string): never => {
      reportAuth(c, { outcome: 'refused', reason: message, ...(canonical ? { canonical } : {}) });
      return fail.unauthenticated(message, { code: 'bad_credential' });
    };
    const header = c.req.header('authorization') ?? '';
    const parts = header.startsWith('Bearer ') ? credentialParts(header.slice(7).trim()) : null;
    if (!parts) return refuse('missing or malformed authorization header');
    const [version, keyId, signature] = parts;
    if (version !== '1.0') return refuse('unsupported signature version');
    const member = world.byKey.get(keyId);
    if (!member) return refuse('invalid access key');
    const timestamp = c.req.header('x-crusoe-timestamp');
    const signedAt = timestamp === undefined ? null : stamps.get(timestamp, () => parseTime(timestamp));
    if (timestamp === undefined || signedAt === null) return refuse('missing or invalid X-Crusoe-Timestamp header');
    // Freshness against the machine's real clock: clients sign with theirs, whatever the emulator clock says.
    if (Math.abs(Date.now() - signedAt) > settings.timestampSkewSeconds * 1000) return refuse('request timestamp outside the allowed window');
    const q = parseQueryString(rawQueryOf(c.req.url));
    if (q === null) return refuse('malformed query string');
    if (settings.strictQueryOrder && !sortedKeys(q.pairs)) return refuse('query parameters must be sorted');
    const message = signingMessage(decodedPath(c.req.path), q.canonical, c.req.method, timestamp);
    if (!safeEqual(signMessage(member.secretKey, message), signature.replace(/=+$/, ''))) return refuse('signature mismatch', message);
    const org = c.req.param('organization_id') ?? '';
    if (!member.admin || org.toLowerCase() !== orgId) {
      const reason = `user is not an admin of organization ${org}`;
      reportAuth(c, { outcome: 'refused', reason });
      return fail.forbidden(reason, { code: 'unauthorized' });
    }
    reportAuth(c, OK);
    c.set('caller', member);
    await next();
  };
}

/** Keys in byte order, as Go's url.Values.Encode() writes them. */
function sortedKeys(pairs: Array<[string, string]>): boolean {
  return pairs.every(([k], i) => i === 0 || Buffer.compare(Buffer.from(pairs[i - 1][0]), Buffer.from(k)) <= 0);
}
