import { randomUUID } from 'node:crypto';
import { retryAfter, type FailureRenderer } from '../core/failure.js';

/** Crusoe's error body: `{code, message}`, plus `error_id` on server errors. */
function crusoeError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  const body: Record<string, string> = { code, message };
  if (status >= 500) body.error_id = randomUUID();
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/**
 * Every failure in Crusoe's shape. A failure's own `code` wins over the default for its kind.
 * Crusoe has a single dialect, so no setting chooses among renderers.
 */
export function crusoeErrors(): FailureRenderer {
  return {
    'bad-request': (f) => crusoeError(400, f.code ?? 'bad_request', `bad request, check request parameters: ${f.message}`),
    unauthenticated: (f) => crusoeError(401, f.code ?? 'bad_credential', f.message),
    forbidden: (f) => crusoeError(403, f.code ?? 'unauthorized', f.message),
    'not-found': (f) => crusoeError(404, f.code ?? 'not_found', f.message),
    'too-large': (f) => crusoeError(413, f.code ?? 'request_too_large', f.message),
    // Crusoe words every throttle the same, whichever limit refused the call.
    throttled: (f) => crusoeError(429, f.code ?? 'too_many_requests', 'rate limit exceeded', retryAfter(f)),
    unavailable: (f) => crusoeError(f.status, f.code ?? 'internal_error', f.message),
    internal: (f) => crusoeError(500, f.code ?? 'internal_error', f.message),
  };
}
