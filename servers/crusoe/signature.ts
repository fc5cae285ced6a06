import { createHmac } from 'node:crypto';
import { Memo } from '../core/memo.js';

/**
 * Crusoe request signature v1.0, exactly as crusoecloud/client-go's auth.go builds it:
 * path + "\n" + canonical query + "\n" + METHOD + "\n" + timestamp + "\n", HMAC-SHA256 with the
 * secret decoded from URL-safe base64, sent as unpadded URL-safe base64.
 */

/** Go's url.QueryEscape: keeps A-Z a-z 0-9 - _ . ~, space to '+', every other byte %XX upper-case. */
export function queryEscape(s: string): string {
  // encodeURIComponent already escapes UTF-8 bytes in upper-case hex; it leaves ! ' ( ) * alone, Go does not.
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase());
}

/** Form decoding ('+' is a space, %XX a byte); null when an escape is malformed, as Go's QueryUnescape errs. */
export function formDecode(s: string): string | null {
  if (!s.includes('%')) return s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return null;
  const bytes = Buffer.from(
    s.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_m, h) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  );
  // Non-ASCII characters sent raw (not escaped) must keep their UTF-8 bytes.
  if (/[\u0080-\uffff]/.test(s)) return decodeMixed(s);
  return bytes.toString('utf8');
}

function decodeMixed(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '+') bytes.push(0x20);
    else if (ch === '%') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const cp = String.fromCodePoint(s.codePointAt(i)!);
      for (const b of Buffer.from(cp, 'utf8')) bytes.push(b);
      i += cp.length - 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The query of a URL exactly as sent (without '?' and any fragment): what the client signed. */
export function rawQueryOf(url: string): string {
  const i = url.indexOf('?');
  if (i < 0) return '';
  const h = url.indexOf('#', i);
  return url.slice(i + 1, h < 0 ? undefined : h);
}

const parsed = new Memo<{ pairs: Array<[string, string]>; canonical: string } | null>(2000);

/**
 * The decoded pairs and canonical form of a raw query, memoised (a pure function of the string;
 * callers must not mutate the pairs).
 */
export function parseQueryString(raw: string): { pairs: Array<[string, string]>; canonical: string } | null {
  return parsed.get(raw, () => {
    const pairs = parseRawQuery(raw);
    return pairs && { pairs, canonical: canonicalQuery(pairs) };
  });
}

/**
 * The raw query as ordered (key, value) pairs, decoded. Null when a piece contains ';' or an
 * escape is malformed: such a query cannot be signed canonically.
 */
export function parseRawQuery(raw: string): Array<[string, string]> | null {
  const pairs: Array<[string, string]> = [];
  for (const piece of raw.split('&')) {
    if (piece === '') continue;
    if (piece.includes(';')) return null;
    const eq = piece.indexOf('=');
    const k = formDecode(eq < 0 ? piece : piece.slice(0, eq));
    const v = formDecode(eq < 0 ? '' : piece.slice(eq + 1));
    if (k === null || v === null) return null;
    pairs.push([k, v]);
  }
  return pairs;
}

/** Keys sorted byte-wise, values in arrival order, each escaped: Go's url.Values.Encode(). */
export function canonicalQuery(pairs: Array<[string, string]>): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    const list = byKey.get(k);
    if (list) list.push(v);
    else byKey.set(k, [v]);
  }
  const keys = [...byKey.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const parts: string[] = [];
  for (const k of keys) for (const v of byKey.get(k)!) parts.push(`${queryEscape(k)}=${queryEscape(v)}`);
  return parts.join('&');
}

export function signingMessage(path: string, canonical: string, method: string, timestamp: string): string {
  return `${path}\n${canonical}\n${method.toUpperCase()}\n${timestamp}\n`;
}

const keys = new Memo<Buffer>(1000);

export function signMessage(secret: string, message: string): string {
  const key = keys.get(secret, () => Buffer.from(secret.replace(/=+$/, ''), 'base64url'));
  return createHmac('sha256', key).update(message, 'utf8').digest('base64url');
}

/** Headers for a signed request, as a client following Crusoe's docs sends them. */
export function signRequest(opts: {
  accessKeyId: string;
  secretKey: string;
  method: string;
  path: string;
  /** Raw query without '?' (already encoded as it will be sent). */
  query: string;
  timestamp?: string;
}): { 'X-Crusoe-Timestamp': string; Authorization: string } {
  const timestamp = opts.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const pairs = parseRawQuery(opts.query) ?? [];
  const sig = signMessage(opts.secretKey, signingMessage(opts.path, canonicalQuery(pairs), opts.method, timestamp));
  return { 'X-Crusoe-Timestamp': timestamp, Authorization: `Bearer 1.0:${opts.accessKeyId}:${sig}` };
}
