/** Instaclustr's v2 error shapes: ErrorResponseV2 `{name, message}` and ErrorListResponseV2 `{errors: [...]}` (section 7). */
const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  413: 'Payload Too Large', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export interface FieldError {
  name: string;
  message: string;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function icError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { name: REASONS[status] ?? 'Error', message }, headers);
}

export function icErrorList(errors: FieldError[]): Response {
  return json(400, { errors });
}

export function unauthorized(message: string): Response {
  return icError(401, message, { 'www-authenticate': 'Basic realm="instaclustr"' });
}

/** 429 in the v2 shape, or the legacy v1 `ErrorMessage` shape (switch `instaclustr.rateLimitBody = "legacy"`). */
export function rateLimited(legacy: boolean): Response {
  const headers = { 'retry-after': '1' };
  if (legacy) return json(429, { status: 429, message: 'Rate Limit Exceeded', errorDetails: {}, code: 429, link: '' }, headers);
  return icError(429, 'Rate Limit Exceeded', headers);
}

/** Failures the core answers (strict validation, unknown routes, crashes). */
export function icStatusError(status: number, message: string, legacy429 = false): Response {
  if (status === 400) return icErrorList([{ name: 'request', message }]);
  if (status === 404) return icError(404, 'Resource not found');
  if (status === 429) return rateLimited(legacy429);
  if (REASONS[status]) return icError(status, message);
  return icError(500, message);
}
