import { STATUS_CODES } from 'node:http';
import type { components } from '../../openapi/generated/instaclustr.js';
import { retryAfter, type FailureOf, type FailureRenderer } from '../core/failure.js';
import type { InstaclustrSettings } from './settings.js';

/** Instaclustr's v2 error shapes: ErrorResponseV2 `{name, message}` and ErrorListResponseV2 `{errors: [...]}`. */
export type FieldError = components['schemas']['ErrorResponseV2'];
type ErrorListResponseV2 = components['schemas']['ErrorListResponseV2'];
type LegacyErrorMessage = components['schemas']['LegacyErrorMessage'];

/**
 * `code` of the one not-found that names its cause. Every other 404 (unknown routes, trailing
 * slashes, other case) says only "Resource not found", as the real API does.
 */
export const INVALID_ORGANISATION = 'INVALID_ORGANISATION';

const RATE_LIMITED = 'Rate Limit Exceeded';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** ErrorResponseV2, whose `name` is the status's reason phrase. */
function v2(status: number, message: string, headers: Record<string, string> = {}): Response {
  const body: FieldError = { name: STATUS_CODES[status] ?? 'Error', message };
  return json(status, body, headers);
}

/** A bad request's `detail` is its field list, one error per bad parameter; the core's refusals name no field. */
function badRequest(f: FailureOf<'bad-request'>): Response {
  const body: ErrorListResponseV2 = { errors: Array.isArray(f.detail) ? (f.detail as FieldError[]) : [{ name: 'request', message: f.message }] };
  return json(400, body);
}

/** 429 in the v2 shape, or the v1 `ErrorMessage` shape with `rateLimitBody = legacy`; the message is always the vendor's. */
function throttled(f: FailureOf<'throttled'>, legacy: boolean): Response {
  if (!legacy) return v2(429, RATE_LIMITED, retryAfter(f));
  const body: LegacyErrorMessage = { status: 429, message: RATE_LIMITED, errorDetails: {}, code: 429, link: '' };
  return json(429, body, retryAfter(f));
}

export function instaclustrErrors(settings: Pick<InstaclustrSettings, 'rateLimitBody'>): FailureRenderer {
  const legacy = settings.rateLimitBody === 'legacy';
  return {
    'bad-request': badRequest,
    unauthenticated: (f) => v2(401, f.message, { 'www-authenticate': 'Basic realm="instaclustr"' }),
    forbidden: (f) => v2(403, f.message),
    'not-found': (f) => v2(404, f.code === INVALID_ORGANISATION ? f.message : 'Resource not found'),
    'too-large': (f) => v2(413, f.message),
    throttled: (f) => throttled(f, legacy),
    unavailable: (f) => v2(f.status, f.message),
    internal: (f) => v2(500, f.message),
  };
}

/** A method other than GET on a known path: not a failure of the union, so the route answers it. */
export function methodNotAllowed(method: string): Response {
  return v2(405, `Method ${method} is not allowed on this resource`, { allow: 'GET' });
}
