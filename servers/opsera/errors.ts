/** Opsera's error body: `{"message": ...}` JSON, or the bare string as text/plain (`opsera.errorBodyFormat = "text"`). */
export type ErrorFormat = 'json' | 'text';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function opseraError(status: number, message: string, format: ErrorFormat = 'json', headers: Record<string, string> = {}): Response {
  if (format === 'text') {
    return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
  }
  return new Response(JSON.stringify({ message }), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

/**
 * Failures the core answers. Express sends reason phrases for these, so the core's own detail is
 * dropped except on 400, where it is the validation text.
 */
export function opseraStatusError(status: number, message: string, format: ErrorFormat = 'json'): Response {
  if (status === 400) return opseraError(400, message, format);
  const s = REASONS[status] ? status : 500;
  return opseraError(s, REASONS[s], format, s === 429 ? { 'retry-after': '60' } : {});
}
