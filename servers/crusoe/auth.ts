import type { Context } from 'hono';
import { safeEqual } from '../core/auth.js';
import { fail } from '../core/failure.js';
import { Memo } from '../core/memo.js';
import { reportAuth, type AuthInfo, type CoreEnv } from '../core/provider.js';
import { parseTime } from '../core/time.js';
import type { CrusoeWorld, Member } from './events.js';
import type { CrusoeSettings } from './settings.js';
import { parseQueryString, rawQueryOf, signMessage, signingMessage } from './signature.js';

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

function refuse(c: Context<CoreEnv>, message: string, canonical?: string): never {
  reportAuth(c, { outcome: 'refused', reason: message, ...(canonical ? { canonical } : {}) });
  return fail.unauthenticated(message, { code: 'bad_credential' });
}

/**
 * Crusoe's failure ladder, in order (header, version, key, timestamp, freshness, query, signature,
 * organization admin); the first failing check throws its failure. A plain function rather than a
 * middleware: the audit-log route calls it first, and the whole request stays synchronous.
 */
export function crusoeAuth(world: CrusoeWorld, settings: CrusoeSettings): (c: Context<CoreEnv>) => Member {
  const orgId = world.organizationId.toLowerCase();
  const skewMs = settings.timestampSkewSeconds * 1000;
  return (c) => {
    const header = c.req.header('authorization') ?? '';
    const parts = header.startsWith('Bearer ') ? credentialParts(header.slice(7).trim()) : null;
    if (!parts) return refuse(c, 'missing or malformed authorization header');
    const [version, keyId, signature] = parts;
    if (version !== '1.0') return refuse(c, 'unsupported signature version');
    const member = world.byKey.get(keyId);
    if (!member) return refuse(c, 'invalid access key');
    const timestamp = c.req.header('x-crusoe-timestamp');
    const signedAt = timestamp === undefined ? null : stamps.get(timestamp, () => parseTime(timestamp));
    if (timestamp === undefined || signedAt === null) return refuse(c, 'missing or invalid X-Crusoe-Timestamp header');
    // Freshness against the machine's real clock: clients sign with theirs, whatever the emulator clock says.
    if (Math.abs(Date.now() - signedAt) > skewMs) return refuse(c, 'request timestamp outside the allowed window');
    const q = parseQueryString(rawQueryOf(c.req.url));
    if (q === null) return refuse(c, 'malformed query string');
    if (settings.strictQueryOrder && !sortedKeys(q.pairs)) return refuse(c, 'query parameters must be sorted');
    const message = signingMessage(decodedPath(c.req.path), q.canonical, c.req.method, timestamp);
    if (!safeEqual(signMessage(member.secretKey, message), unpadded(signature))) return refuse(c, 'signature mismatch', message);
    const org = c.req.param('organization_id') ?? '';
    // The id as the manifest spells it matches without lower-casing a copy on every request.
    if (!member.admin || (org !== world.organizationId && org.toLowerCase() !== orgId)) {
      const reason = `user is not an admin of organization ${org}`;
      reportAuth(c, { outcome: 'refused', reason });
      return fail.forbidden(reason, { code: 'unauthorized' });
    }
    reportAuth(c, OK);
    return member;
  };
}

/** Without trailing '=' padding (clients may send padded base64). */
function unpadded(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Keys in byte order, as Go's url.Values.Encode() writes them. */
function sortedKeys(pairs: Array<[string, string]>): boolean {
  return pairs.every(([k], i) => i === 0 || Buffer.compare(Buffer.from(pairs[i - 1][0]), Buffer.from(k)) <= 0);
}
