import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { safeEqual } from '../core/auth.js';

/** The parts of an `AWS4-HMAC-SHA256` Authorization header. */
export interface ParsedAuth {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export type ParseResult = { ok: true; auth: ParsedAuth } | { ok: false; message: string };

/** The key id of a Credential value (`<key id>/<date>/<region>/<service>/aws4_request`), split from the right; undefined when it has too few parts. */
export function accessKeyIdOf(credential: string): string | undefined {
  const parts = credential.split('/');
  return parts.length >= 5 ? parts.slice(0, -4).join('/') : undefined;
}

/**
 * Parse the header. The Credential value is split from the right on '/', since K2 key ids
 * (`project:user@customer`) may contain anything but '/'.
 */
export function parseAuthorization(header: string): ParseResult {
  const m = /^(\S+)\s+(.*)$/s.exec(header.trim());
  if (!m || m[1] !== 'AWS4-HMAC-SHA256') return { ok: false, message: 'Authorization header must use the AWS4-HMAC-SHA256 algorithm.' };
  const fields = new Map<string, string>();
  for (const part of m[2].split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!fields.get(name)) {
      return { ok: false, message: `Authorization header requires '${name}' parameter. Authorization=AWS4-HMAC-SHA256 ${m[2].slice(0, 200)}` };
    }
  }
  const cred = fields.get('Credential')!;
  const parts = cred.split('/');
  if (parts.length < 5) return { ok: false, message: `Credential should have at least 5 slash-separated parts, not ${parts.length}.` };
  const tail = parts.slice(-4);
  const accessKeyId = accessKeyIdOf(cred)!;
  if (tail[3] !== 'aws4_request') return { ok: false, message: `Credential should be scoped with a valid terminator: 'aws4_request', not '${tail[3]}'.` };
  if (!accessKeyId || !/^\d{8}$/.test(tail[0])) return { ok: false, message: `Credential should be scoped to a valid date and key, not '${cred}'.` };
  const signature = fields.get('Signature')!;
  return {
    ok: true,
    auth: {
      accessKeyId,
      date: tail[0],
      region: tail[1],
      service: tail[2],
      signedHeaders: fields
        .get('SignedHeaders')!
        .split(';')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
      signature,
    },
  };
}

/** `20240514T092107Z` to ms, or null. */
export function parseAmzDate(s: string | undefined): number | null {
  const m = s && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return new Date(ms).getUTCDate() === +m[3] && +m[4] < 24 && +m[5] < 60 && +m[6] < 60 ? ms : null;
}

export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function sha256Hex(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
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

/** The path as sent, still percent-encoded (S3 signs it so). */
export function rawPath(url: string): string {
  return (
    url
      .replace(/^[a-z]+:\/\/[^/]+/i, '')
      .split('?')[0]
      .split('#')[0] || '/'
  );
}

export interface VerifyInput {
  method: string;
  /** Path as sent (still percent-encoded). */
  path: string;
  /** Decoded query pairs. */
  query: Array<[string, string]>;
  /** Lower-case header name to value, as received. */
  headers: Record<string, string>;
  body: Uint8Array;
  auth: ParsedAuth;
  secret: string;
  signingDate: Date;
}

/** Keeps the canonical request the signer built, for the request log's diagnostics. */
class CapturingSigner extends SignatureV4 {
  canonical = '';

  protected override createCanonicalRequest(...args: Parameters<SignatureV4['createCanonicalRequest']>): string {
    this.canonical = super.createCanonicalRequest(...args);
    return this.canonical;
  }
}

/** Recompute the signature with @smithy/signature-v4 over exactly the headers the client signed. */
export async function expectedSignature(v: VerifyInput): Promise<string> {
  return (await computeSignature(v)).signature;
}

/** Query pairs as the signer takes them (repeated keys as arrays), without the `skip`ped ones. */
function signerQuery(pairs: Array<[string, string]>, skip: string[] = []): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [k, val] of pairs) {
    if (skip.includes(k)) continue;
    const cur = query[k];
    query[k] = cur === undefined ? val : Array.isArray(cur) ? [...cur, val] : [cur, val];
  }
  return query;
}

/** A signer for the request's scope and key, which remembers the canonical request it signs. */
function signerFor(v: VerifyInput): CapturingSigner {
  return new CapturingSigner({
    service: v.auth.service,
    region: v.auth.region,
    credentials: { accessKeyId: v.auth.accessKeyId, secretAccessKey: v.secret },
    sha256: Sha256,
    applyChecksum: false,
    // S3 signs the path as sent; other services URI-encode it once more.
    uriEscapePath: v.auth.service !== 's3',
  });
}

/** The expected signature and the canonical request it was computed over (never the secret). */
export async function computeSignature(v: VerifyInput): Promise<{ signature: string; canonical: string }> {
  const headers: Record<string, string> = {};
  for (const name of v.auth.signedHeaders) if (v.headers[name] !== undefined) headers[name] = v.headers[name];
  const query = signerQuery(v.query);
  const signer = signerFor(v);
  const signed = await signer.sign(
    { method: v.method, protocol: 'http:', hostname: 'localhost', path: v.path, query, headers, body: v.body },
    {
      signingDate: v.signingDate,
      signingRegion: v.auth.region,
      signingService: v.auth.service,
      signableHeaders: new Set(v.auth.signedHeaders),
      // The signer always sets x-amz-date; keep it out when the client did not sign it.
      unsignableHeaders: v.auth.signedHeaders.includes('x-amz-date') ? undefined : new Set(['x-amz-date']),
    },
  );
  const authz = String((signed.headers as Record<string, string>).authorization ?? '');
  return { signature: /Signature=([0-9a-f]+)/.exec(authz)?.[1] ?? '', canonical: signer.canonical };
}

/** The query parameters of query-string (presigned) SigV4, which the signer adds itself. */
export const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];

/**
 * A presigned URL's expected signature: the signer presigns the same request again (the other
 * query parameters kept, the signed headers left in place, the payload `UNSIGNED-PAYLOAD`).
 */
export async function computePresignedSignature(v: VerifyInput & { expiresIn: number }): Promise<{ signature: string; canonical: string }> {
  const signed = new Set(v.auth.signedHeaders);
  const headers: Record<string, string> = {};
  for (const name of signed) if (v.headers[name] !== undefined) headers[name] = v.headers[name];
  if (!signed.has('x-amz-content-sha256')) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const query = signerQuery(v.query, PRESIGN_PARAMS);
  const signer = signerFor(v);
  const presigned = await signer.presign(
    { method: v.method, protocol: 'http:', hostname: 'localhost', path: v.path, query, headers, body: undefined },
    {
      signingDate: v.signingDate,
      expiresIn: v.expiresIn,
      signingRegion: v.auth.region,
      signingService: v.auth.service,
      signableHeaders: signed,
      unsignableHeaders: signed.has('x-amz-content-sha256') ? undefined : new Set(['x-amz-content-sha256']),
      // Signed x-amz-* headers stay headers, as the client sent them.
      unhoistableHeaders: new Set([...signed, 'x-amz-content-sha256']),
    },
  );
  return { signature: String(presigned.query?.['X-Amz-Signature'] ?? ''), canonical: signer.canonical };
}

export async function signatureMatches(v: VerifyInput & { expiresIn?: number }): Promise<{ ok: boolean; canonical: string }> {
  const r = v.expiresIn === undefined ? await computeSignature(v) : await computePresignedSignature({ ...v, expiresIn: v.expiresIn });
  return { ok: safeEqual(r.signature, v.auth.signature), canonical: r.canonical };
}
