import type { MiddlewareHandler } from 'hono';
import { readBodyText } from '../core/body.js';
import { checkRequest } from '../core/conformance.js';
import { loadSpec } from '../core/spec.js';

/** The control API's own contract: every request is checked against it before a route runs. */
export const CONTROL_SPEC = 'openapi/control.yaml';
export const CONTROL_BODY_LIMIT = 10_000_000;

/** Variables the control app's middleware hands to its routes. */
export type ControlEnv = { Variables: { json: unknown } };

export function problem(status: number, message: string): Response {
  return new Response(JSON.stringify({ error: message }), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * Reads the body once (10 MB at most), checks path, query and body against openapi/control.yaml
 * and answers 400 naming the fields before any route can change anything. Routes read the parsed
 * body from `c.var.json` (`{}` when the body is empty).
 */
export function validateControl(): MiddlewareHandler<ControlEnv> {
  return async (c, next) => {
    const method = c.req.method;
    // Nothing to check without a body or a query: routing and the handler answer unknown paths and ids.
    if (['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method) && !c.req.url.includes('?')) {
      c.set('json', {});
      return next();
    }
    const text = ['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method) ? '' : await readBodyText(c.req.raw, CONTROL_BODY_LIMIT);
    if (text === null) return problem(413, 'body too large (10 MB at most)');
    let json: unknown = {};
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        return problem(400, 'body is not valid JSON');
      }
    }
    const url = new URL(c.req.url);
    url.searchParams.delete('token'); // the dashboard link's token, already taken by the guard
    const r = checkRequest(loadSpec(CONTROL_SPEC), { method, url: url.href, headers: c.req.raw.headers, body: text });
    // A path that fits no route's pattern is an unknown route, not a bad request.
    if (r.problems.some((p) => p.where.startsWith('path.'))) return problem(404, 'no such control route');
    if (!r.ok) return problem(400, r.problems.map((p) => p.message).join('; '));
    c.set('json', json);
    await next();
  };
}
