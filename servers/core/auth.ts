import { createHmac } from 'node:crypto';
import { sign, verify } from 'hono/jwt';

/**
 * Constant-time comparison of secrets' derived values (signatures, keys); only the length may
 * leak. Compares UTF-16 units without an early exit: the same guarantee as timingSafeEqual,
 * without encoding both strings to buffers on every signed request.
 */
export function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** `Authorization: Basic ...` to its parts, or null when absent or malformed. */
export function parseBasic(header: string | undefined | null): { user: string; pass: string } | null {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return null;
  return { user: text.slice(0, i), pass: text.slice(i + 1) };
}

/** `Authorization: Bearer <token>` to the token, or null. */
export function parseBearer(header: string | undefined | null): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}

export type JwtFailure = 'malformed' | 'signature' | 'expired' | 'not_yet_valid';

/**
 * HS256 JWTs timed by the emulator clock rather than the machine's: tokens the emulator issues
 * expire when a test advances the clock past `exp`.
 */
export class JwtIssuer {
  constructor(
    private readonly secret: string,
    private readonly now: () => number,
  ) {}

  async issue(claims: Record<string, unknown>, ttlSeconds: number | null): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const payload: Record<string, unknown> = { iat, ...claims };
    if (ttlSeconds !== null) payload.exp = iat + ttlSeconds;
    return sign(payload, this.secret, 'HS256');
  }

  /** Sign exactly these claims (no iat added), synchronously: for credentials computed in a getter. */
  signSync(claims: Record<string, unknown>): string {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
    return `${head}.${createHmac('sha256', this.secret).update(head).digest('base64url')}`;
  }

  /** Whether this issuer's secret signed `token` (nothing else checked): which world a bearer belongs to. */
  signedHere(token: string): boolean {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return false;
    return safeEqual(createHmac('sha256', this.secret).update(token.slice(0, dot)).digest('base64url'), token.slice(dot + 1));
  }

  /** Verify signature with hono/jwt, then check time claims against the emulator clock. */
  async check(token: string, opts: { skewSeconds?: number } = {}): Promise<{ ok: true; claims: Record<string, unknown> } | { ok: false; why: JwtFailure }> {
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return { ok: false, why: 'malformed' };
    let claims: Record<string, unknown>;
    try {
      // Time claims are checked below on the emulator clock, not hono's Date.now().
      claims = await verify(token, this.secret, { alg: 'HS256', exp: false, nbf: false, iat: false });
    } catch (err) {
      const name = (err as Error)?.name ?? '';
      return { ok: false, why: /Invalid|Signature/i.test(name) && !/Format|Header|Payload/i.test(name) ? 'signature' : 'malformed' };
    }
    const nowS = Math.floor(this.now() / 1000);
    const skew = opts.skewSeconds ?? 0;
    if (typeof claims.exp === 'number' && nowS >= claims.exp + skew) return { ok: false, why: 'expired' };
    if (typeof claims.nbf === 'number' && nowS < claims.nbf - skew) return { ok: false, why: 'not_yet_valid' };
    return { ok: true, claims };
  }
}
