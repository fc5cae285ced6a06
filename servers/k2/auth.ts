import type { Context, MiddlewareHandler } from 'hono';
import { VendorFailure, fail, type Failure } from '../core/failure.js';
import { reportAuth, type AuthInfo, type CoreEnv } from '../core/provider.js';
import type { Dialect } from './errors.js';
import {
  accessKeyIdOf,
  amzDate,
  parseAmzDate,
  parseAuthorization,
  PRESIGN_PARAMS,
  queryPairs,
  rawPath,
  sha256Hex,
  signatureMatches,
  type ParsedAuth,
} from './sigv4.js';
import type { K2User, K2World } from './world.js';

const SKEW_MS = 15 * 60_000;
/** The longest a presigned URL may live: a week. */
const MAX_EXPIRES_S = 604_800;

export type Service = 'cloudtrail' | 's3';

export interface Caller {
  user: K2User;
  project: string;
  accessKeyId: string;
}

/** What K2's middleware puts on a request: its dialect and arrival, then who signed it. */
export type K2Env = CoreEnv & { Variables: { dialect: Dialect; arrival: number; requestId: string; caller: Caller } };

/** Which rung of the SigV4 ladder refused the request, with the reason the request log shows. */
type Step = 'missing' | 'incomplete' | 'scope' | 'unknown-key' | 'expired' | 'signature' | 'query' | 'denied';
type Refusal = { step: Step; message: string; canonical?: string };
type Verified = Caller & { presigned: boolean };

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. ' +
  'Consult the service documentation for details.';

/** Each rung as CloudTrail and as S3 answer it. */
const LADDER: Record<Service, Record<Step, (message: string) => Failure>> = {
  cloudtrail: {
    missing: (message) => ({ kind: 'unauthenticated', code: 'MissingAuthenticationTokenException', message }),
    incomplete: (message) => ({ kind: 'bad-request', code: 'IncompleteSignatureException', message }),
    scope: (message) => ({ kind: 'unauthenticated', code: 'InvalidSignatureException', message }),
    'unknown-key': (message) => ({ kind: 'unauthenticated', code: 'UnrecognizedClientException', message }),
    expired: (message) => ({ kind: 'unauthenticated', code: 'InvalidSignatureException', message }),
    signature: (message) => ({ kind: 'unauthenticated', code: 'InvalidSignatureException', message }),
    // Query-string signing is S3's alone; CloudTrail never reaches these rungs.
    query: (message) => ({ kind: 'bad-request', code: 'IncompleteSignatureException', message }),
    denied: (message) => ({ kind: 'unauthenticated', code: 'InvalidSignatureException', message }),
  },
  s3: {
    missing: () => ({ kind: 'unauthenticated', code: 'AccessDenied', message: 'Access Denied' }),
    incomplete: (message) => ({ kind: 'bad-request', code: 'AuthorizationHeaderMalformed', message }),
    scope: (message) => ({ kind: 'bad-request', code: 'AuthorizationHeaderMalformed', message }),
    'unknown-key': () => ({
      kind: 'unauthenticated',
      code: 'InvalidAccessKeyId',
      message: 'The AWS Access Key Id you provided does not exist in our records.',
    }),
    expired: () => ({
      kind: 'unauthenticated',
      code: 'RequestTimeTooSkewed',
      message: 'The difference between the request time and the current time is too large.',
    }),
    signature: () => ({
      kind: 'unauthenticated',
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    }),
    query: (message) => ({ kind: 'bad-request', code: 'AuthorizationQueryParametersError', message }),
    denied: (message) => ({ kind: 'unauthenticated', code: 'AccessDenied', message }),
  },
};

export interface AuthOptions {
  world: K2World;
  /** Regions a signature may be scoped to; absent: any. */
  allowedRegions?: string[];
}

/**
 * K2's SigV4 ladder as one middleware for a service: on success `c.get('caller')`, otherwise the
 * refusal in that service's words. The request log keeps the ladder's reason and, for a
 * signature mismatch, the canonical request the emulator signed.
 */
/** The world-choosing credential of a console path, which carries no key: its customer. */
export const CONSOLE_PRINCIPAL = 'customer:';
const CONSOLE_PATH = /^\/_console\/k2\/customers\/([^/]+)/;

/**
 * The access key id a request is signed with (header or presigned query), or the customer a console
 * path names: what chooses the world. The Credential is split from the right, as the ladder splits it.
 */
export function principalOf(req: Request): string | undefined {
  const url = req.url;
  const onConsole = CONSOLE_PATH.exec(url.slice(url.indexOf('/', url.indexOf('//') + 2)));
  if (onConsole) return CONSOLE_PRINCIPAL + decodeURIComponentSafe(onConsole[1]);
  const header = req.headers.get('authorization');
  const credential = header ? /Credential=([^,\s]+)/.exec(header)?.[1] : new URL(url).searchParams.get('X-Amz-Credential');
  return credential ? accessKeyIdOf(credential) : undefined;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function k2Auth(service: Service, opts: AuthOptions): MiddlewareHandler<K2Env> {
  return async (c, next) => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    const r = await verify(c, body, service, opts);
    if ('step' in r) {
      report(c, { outcome: 'refused', reason: r.message, ...(r.canonical ? { canonical: r.canonical } : {}) });
      throw new VendorFailure(LADDER[service][r.step](r.message));
    }
    report(c, { outcome: 'ok' });
    if (service === 's3' && !r.presigned && c.req.header('x-amz-content-sha256') === undefined) {
      fail.badRequest('Missing required header for this request: x-amz-content-sha256', { code: 'InvalidRequest' });
    }
    c.set('caller', { user: r.user, project: r.project, accessKeyId: r.accessKeyId });
    await next();
  };
}

// Hono's Context is invariant in its Env, so K2's richer one is handed to the core as its own.
const report = (c: Context<K2Env>, info: AuthInfo) => reportAuth(c as unknown as Context<CoreEnv>, info);

/** The ladder in order: header present and complete, scope, key, freshness, signature. */
async function verify(c: Context, body: Uint8Array, service: Service, opts: AuthOptions): Promise<Verified | Refusal> {
  const header = c.req.header('authorization');
  if (!header && service === 's3' && queryPairs(c.req.url).some(([k]) => k === 'X-Amz-Algorithm')) return verifyPresigned(c, opts);
  if (!header) return { step: 'missing', message: 'Missing Authentication Token' };
  const parsed = parseAuthorization(header);
  if (!parsed.ok) return { step: 'incomplete', message: parsed.message };
  const auth = parsed.auth;
  const dateHeader = c.req.header('x-amz-date');
  const shape = headerProblem(header, dateHeader, auth) ?? scopeProblem(auth, dateHeader!, service, opts.allowedRegions);
  if (shape) return shape;
  const key = opts.world.keys.get(auth.accessKeyId);
  if (!key) return { step: 'unknown-key', message: 'The security token included in the request is invalid.' };
  const signedAt = parseAmzDate(dateHeader)!;
  const stale = freshnessProblem(signedAt, dateHeader!);
  if (stale) return stale;
  const headers = headersOf(c);
  const declared = headers['x-amz-content-sha256'];
  if (declared !== undefined && auth.signedHeaders.includes('x-amz-content-sha256')) {
    const okUnsigned = service === 's3' && declared === 'UNSIGNED-PAYLOAD';
    if (!okUnsigned && declared !== sha256Hex(body)) return { step: 'signature', message: MISMATCH };
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
  if (!good.ok) return { step: 'signature', message: MISMATCH, canonical: good.canonical };
  return { user: key.user, project: key.project, accessKeyId: auth.accessKeyId, presigned: false };
}

function headersOf(c: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  c.req.raw.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
  return headers;
}

/**
 * S3's query-string SigV4 (`aws s3 presign`, the SDKs' presigners): the same checks on the
 * `X-Amz-*` parameters, an expiry instead of the skew window, and `UNSIGNED-PAYLOAD`.
 */
async function verifyPresigned(c: Context, opts: AuthOptions): Promise<Verified | Refusal> {
  const pairs = queryPairs(c.req.url);
  const q = new Map<string, string>();
  for (const [k, v] of pairs) if (!q.has(k)) q.set(k, v);
  if (PRESIGN_PARAMS.some((p) => !q.get(p))) {
    const message =
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, ' +
      'X-Amz-SignedHeaders, and X-Amz-Expires parameters.';
    return { step: 'query', message };
  }
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return { step: 'query', message: 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"' };
  const expires = q.get('X-Amz-Expires')!;
  if (!/^\d{1,7}$/.test(expires) || +expires < 1) return { step: 'query', message: 'X-Amz-Expires should be a number between 1 and 604800' };
  if (+expires > MAX_EXPIRES_S) return { step: 'query', message: 'X-Amz-Expires must be less than a week (in seconds) that is 604800' };
  const dateParam = q.get('X-Amz-Date')!;
  const signedAt = parseAmzDate(dateParam);
  if (signedAt === null) return { step: 'query', message: "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"" };
  // The same parts as the Authorization header carries, so one parser checks both.
  const fields = `Credential=${q.get('X-Amz-Credential')}, SignedHeaders=${q.get('X-Amz-SignedHeaders')}, Signature=${q.get('X-Amz-Signature')}`;
  const header = `AWS4-HMAC-SHA256 ${fields}`;
  const parsed = parseAuthorization(header);
  if (!parsed.ok) return { step: 'query', message: parsed.message };
  const auth = parsed.auth;
  if (!auth.signedHeaders.includes('host')) return { step: 'query', message: "'host' must be a signed header." };
  const scope = scopeProblem(auth, dateParam, 's3', opts.allowedRegions);
  if (scope) return { ...scope, step: 'query' };
  const key = opts.world.keys.get(auth.accessKeyId);
  if (!key) return { step: 'unknown-key', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  const now = Date.now();
  if (now > signedAt + +expires * 1000) return { step: 'denied', message: 'Request has expired' };
  if (signedAt > now + SKEW_MS) return { step: 'denied', message: 'Request is not valid yet' };
  const url = c.req.url;
  const good = await signatureMatches({
    method: c.req.method,
    path: rawPath(url),
    query: pairs,
    headers: headersOf(c),
    body: new Uint8Array(),
    auth,
    secret: key.user.secret,
    signingDate: new Date(signedAt),
    expiresIn: +expires,
  });
  if (!good.ok) return { step: 'signature', message: MISMATCH, canonical: good.canonical };
  return { user: key.user, project: key.project, accessKeyId: auth.accessKeyId, presigned: true };
}

function headerProblem(header: string, dateHeader: string | undefined, auth: ParsedAuth): Refusal | null {
  if (dateHeader === undefined) {
    const message = `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header.slice(0, 120)}`;
    return { step: 'incomplete', message };
  }
  if (parseAmzDate(dateHeader) === null) {
    return { step: 'incomplete', message: `Date must be in ISO-8601 'basic format'. Got '${dateHeader}'. See http://en.wikipedia.org/wiki/ISO_8601` };
  }
  if (!auth.signedHeaders.includes('host')) return { step: 'incomplete', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." };
  return null;
}

function scopeProblem(auth: ParsedAuth, dateHeader: string, service: Service, allowedRegions: string[] | undefined): Refusal | null {
  if (auth.service !== service) return { step: 'scope', message: `Credential should be scoped to correct service: '${service}'.` };
  if (auth.date !== dateHeader.slice(0, 8)) {
    return { step: 'scope', message: 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.' };
  }
  if (allowedRegions && !allowedRegions.includes(auth.region)) {
    return { step: 'scope', message: `Credential should be scoped to a valid region, not '${auth.region}'.` };
  }
  return null;
}

/** Freshness is measured against the machine's real clock: clients sign with theirs whatever the emulator clock says. */
function freshnessProblem(signedAt: number, dateHeader: string): Refusal | null {
  const now = Date.now();
  if (signedAt < now - SKEW_MS) {
    return { step: 'expired', message: `Signature expired: ${dateHeader} is now earlier than ${amzDate(now - SKEW_MS)} (${amzDate(now)} - 15 min.)` };
  }
  if (signedAt > now + SKEW_MS) {
    return { step: 'expired', message: `Signature not yet current: ${dateHeader} is still later than ${amzDate(now + SKEW_MS)} (${amzDate(now)} + 15 min.)` };
  }
  return null;
}
