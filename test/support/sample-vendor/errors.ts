import { retryAfter, statusOf, type Failure, type FailureRenderer } from '../../../servers/core/failure.js';
import type { components } from './generated.js';

type ErrorBody = components['schemas']['ErrorBody'];
type Code = ErrorBody['error']['code'];

/** `{error: {code, message, field?}}`; a failure's own `code` (e.g. `invalid_token`) wins over the kind's. */
function render(f: Failure, code: Code, headers: Record<string, string> = {}): Response {
  const field = typeof f.detail === 'object' && f.detail && 'field' in f.detail ? String(f.detail.field) : undefined;
  const body: ErrorBody = { error: { code: (f.code as Code | undefined) ?? code, message: f.message, ...(field ? { field } : {}) } };
  return new Response(JSON.stringify(body), { status: statusOf(f), headers: { 'content-type': 'application/json', ...headers } });
}

/** Every failure kind in the sample vendor's shape (no switch changes it, hence no settings used). */
export function sampleErrors(): FailureRenderer {
  return {
    'bad-request': (f) => render(f, 'bad_request'),
    unauthenticated: (f) => render(f, 'invalid_token', { 'www-authenticate': 'Bearer realm="sample"' }),
    forbidden: (f) => render(f, 'insufficient_scope'),
    'not-found': (f) => render(f, 'not_found'),
    'too-large': (f) => render(f, 'too_large'),
    throttled: (f) => render(f, 'throttled', retryAfter(f)),
    unavailable: (f) => render(f, 'unavailable'),
    internal: (f) => render(f, 'internal'),
  };
}
