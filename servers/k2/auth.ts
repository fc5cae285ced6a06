import type { Context } from 'hono';
import { reportAuth, type CoreEnv } from '../core/provider.js';
import type { K2User, K2World } from './events.js';
import { amzDate, parseAmzDate, parseAuthorization, sha256Hex, signatureMatches } from './sigv4.js';

const SKEW_MS = 15 * 60_000;

export interface Caller {
  user: K2User;
  project: string;
  accessKeyId: string;
}

/** Which rung of the failure ladder (section 3.3) refused the request. */
export type AuthFailure =
  | { step: 'missing'; message: string }
  | { step: 'incomplete'; message: string }
  | { step: 'scope'; message: string }
  | { step: 'unknown-key'; message: string }
  | { step: 'expired' | 'not-yet'; message: string }
  | { step: 'signature'; message: string };

export type AuthResult = { ok: true; caller: Caller } | { ok: false; failure: AuthFailure };

export interface AuthOptions {
  world: K2World;
  service: 'cloudtrail' | 's3';
  allowedRegions: string[] | null;
}

/** Decoded query pairs of a URL; malformed escapes are kept raw. */
export function queryPairs(url: string): Array<[string, string]> {
  const i = url.indexOf('?');
  if (i < 0) return [];
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return url
    .slice(i + 1)
    .split('#')[0]
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const eq = p.indexOf('=');
      return [dec(eq < 0 ? p : p.slice(0, eq)), dec(eq < 0 ? '' : p.slice(eq + 1))] as [string, string];
    });
}

export function rawPath(url: string): string {
  return url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0].split('#')[0] || '/';
}

/**
 * SigV4 ladder steps 1-7 (section 3.3), in order. Freshness is measured against the machine's
 * real clock, since clients sign with theirs whatever the emulator clock says.
 */
export async function authenticate(c: Context<CoreEnv>, body: Uint8Array, opts: AuthOptions): Promise<AuthResult> {
  const fail = (failure: AuthFailure, canonical?: string): AuthResult => {
    reportAuth(c, { outcome: 'refused', reason: failure.message, ...(canonical ? { canonical } : {}) });
    return { ok: false, failure };
  };
  const header = c.req.header('authorization');
  if (!header) return fail({ step: 'missing', message: 'Missing Authentication Token' });
  const parsed = parseAuthorization(header);
  if (!parsed.ok) return fail({ step: 'incomplete', message: parsed.message });
  const auth = parsed.auth;
  const dateHeader = c.req.header('x-amz-date');
  if (dateHeader === undefined) {
    return fail({ step: 'incomplete', message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header.slice(0, 120)}` });
  }
  const signedAt = parseAmzDate(dateHeader);
  if (signedAt === null) return fail({ step: 'incomplete', message: `Date must be in ISO-8601 'basic format'. Got '${dateHeader}'. See http://en.wikipedia.org/wiki/ISO_8601` });
  if (!auth.signedHeaders.includes('host')) return fail({ step: 'incomplete', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." });
  if (auth.service !== opts.service) return fail({ step: 'scope', message: `Credential should be scoped to correct service: '${opts.service}'.` });
  if (auth.date !== dateHeader.slice(0, 8)) return fail({ step: 'scope', message: 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.' });
  if (opts.allowedRegions && !opts.allowedRegions.includes(auth.region)) {
    return fail({ step: 'scope', message: `Credential should be scoped to a valid region, not '${auth.region}'.` });
  }
  const key = opts.world.keys.get(auth.accessKeyId);
  if (!key) return fail({ step: 'unknown-key', message: 'The security token included in the request is invalid.' });
  const now = Date.now();
  if (signedAt < now - SKEW_MS) {
    return fail({ step: 'expired', message: `Signature expired: ${dateHeader} is now earlier than ${amzDate(now - SKEW_MS)} (${amzDate(now)} - 15 min.)` });
  }
  if (signedAt > now + SKEW_MS) {
    return fail({ step: 'not-yet', message: `Signature not yet current: ${dateHeader} is still later than ${amzDate(now + SKEW_MS)} (${amzDate(now)} + 15 min.)` });
  }
  const mismatch = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
  const headers: Record<string, string> = {};
  c.req.raw.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
  const declared = headers['x-amz-content-sha256'];
  if (declared !== undefined && auth.signedHeaders.includes('x-amz-content-sha256')) {
    const okUnsigned = opts.service === 's3' && declared === 'UNSIGNED-PAYLOAD';
    if (!okUnsigned && declared !== sha256Hex(body)) return fail({ step: 'signature', message: mismatch });
  }
  const url = c.req.url;
  const good = await signatureMatches({
    method: c.req.method,
    path: rawPath(url),
    query: queryPairs(url),
    headers,
    body,
    auth,
    secret: key.user.secret,
    signingDate: new Date(signedAt),
  });
  if (!good.ok) return fail({ step: 'signature', message: mismatch }, good.canonical);
  reportAuth(c, { outcome: 'ok' });
  return { ok: true, caller: { user: key.user, project: key.project, accessKeyId: auth.accessKeyId } };
}
