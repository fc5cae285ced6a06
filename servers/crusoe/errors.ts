import { randomUUID } from 'node:crypto';
import { retryAfter, type FailureRenderer } from '../core/failure.js';
import type { CrusoeSettings } from './settings.js';

type Style = CrusoeSettings['errorBodyStyle'];

/**
 * Crusoe's error body. Observed (a real 400): the code word in `code`, the detail in `message`, plus
 * `error_id` on server errors. Swagger: what the published spec's examples show, the status number in
 * `code` and the code word in `message` (`{"code":"401","message":"bad_credential"}`), nothing else.
 */
function crusoeError(style: Style, status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  const body: Record<string, string> = style === 'swagger' ? { code: String(status), message: code } : { code, message };
  if (style === 'observed' && status >= 500) body.error_id = randomUUID();
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** Every failure in Crusoe's shape. A failure's own `code` wins over the default for its kind. */
export function crusoeErrors(settings: Pick<CrusoeSettings, 'errorBodyStyle'>): FailureRenderer {
  const error = crusoeError.bind(null, settings.errorBodyStyle);
  return {
    'bad-request': (f) => error(400, f.code ?? 'bad_request', `bad request, check request parameters: ${f.message}`),
    unauthenticated: (f) => error(401, f.code ?? 'bad_credential', f.message),
    forbidden: (f) => error(403, f.code ?? 'unauthorized', f.message),
    'not-found': (f) => error(404, f.code ?? 'not_found', f.message),
    'too-large': (f) => error(413, f.code ?? 'request_too_large', f.message),
    // Crusoe words every throttle the same, whichever limit refused the call.
    throttled: (f) => error(429, f.code ?? 'too_many_requests', 'rate limit exceeded', retryAfter(f)),
    unavailable: (f) => error(f.status, f.code ?? 'internal_error', f.message),
    internal: (f) => error(500, f.code ?? 'internal_error', f.message),
  };
}
