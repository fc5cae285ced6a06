import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { safeEqual, parseBearer } from './auth.js';

/** How the control port protects itself from web pages and, when asked, from other callers. */
export interface GuardOptions {
  /** The address the control port is bound to. */
  host: string;
  /** Further Host names to accept (a compose service name, a tunnel's host). */
  allowHosts?: string[];
  /** When set, every control route needs `Authorization: Bearer <token>` (or the dashboard's cookie). */
  token?: string;
}

const COOKIE = 'audit_emulator_control';
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.includes(host) || /^127\./.test(host);
}

/** A token for a control port bound beyond loopback when the user gave none. */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The Host header's name without its port (IPv6 literals keep their brackets). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

function allowedHosts(o: GuardOptions): Set<string> {
  const bound = o.host.toLowerCase();
  const shown = isIP(bound) === 6 ? `[${bound}]` : bound;
  return new Set([shown, ...LOOPBACK_NAMES, ...(o.allowHosts ?? []).map((h) => h.toLowerCase())]);
}

type Refusal = { status: 401 | 403 | 415; message: string };

/**
 * The control port's guard: a foreign Host (DNS rebinding) is refused; a state-changing request
 * must be JSON, so no simple cross-site form or text/plain POST gets through without a preflight;
 * with a token, every request must carry it.
 */
export function controlGuard(o: GuardOptions, refuse: (r: Refusal) => Response): MiddlewareHandler {
  const hosts = allowedHosts(o);
  return async (c, next) => {
    const host = c.req.header('host');
    if (host !== undefined && !hosts.has(hostName(host))) {
      return refuse({ status: 403, message: `Host '${host}' is not served here; start with --allow-host to accept it` });
    }
    // Browsers name the page behind every cross-site write, even a body-less no-cors POST.
    const origin = c.req.header('origin');
    if (origin !== undefined && !hosts.has(originHost(origin))) {
      return refuse({ status: 403, message: `requests from the page at ${origin} are refused` });
    }
    // Health says only "ok" and the time: container health checks need no token.
    const open = c.req.method === 'GET' && c.req.path === '/_emulator/health';
    if (o.token && !open && !hasToken(c.req.header('authorization'), getCookie(c, COOKIE), o.token)) {
      const viaLink = c.req.method === 'GET' && c.req.query('token');
      if (!viaLink || !safeEqual(viaLink, o.token)) return refuse({ status: 401, message: 'this control API needs Authorization: Bearer <control token>' });
      // The dashboard is opened from a link with the token once; later requests carry a same-site cookie.
      setCookie(c, COOKIE, o.token, { httpOnly: true, sameSite: 'Strict', path: '/' });
    }
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) && hasBody(c.req.raw) && !isJson(c.req.header('content-type'))) {
      return refuse({ status: 415, message: 'control requests that change state must be application/json' });
    }
    await next();
  };
}

function originHost(origin: string): string {
  try {
    return hostName(new URL(origin).host);
  } catch {
    return origin;
  }
}

function hasToken(authorization: string | undefined, cookie: string | undefined, token: string): boolean {
  const bearer = parseBearer(authorization);
  return (bearer !== null && safeEqual(bearer, token)) || (cookie !== undefined && safeEqual(cookie, token));
}

/** An empty POST (reset, a scenario with its defaults) needs no content type; anything else must say JSON. */
function hasBody(req: Request): boolean {
  const len = req.headers.get('content-length');
  return req.headers.has('transfer-encoding') || (len !== null && len !== '0') || req.headers.has('content-type');
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(type);
}
