import { randomUUID } from 'node:crypto';

/** Crusoe's error body: `{code, message}`, plus `error_id` on internal errors. */
export function crusoeError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  const body: Record<string, string> = { code, message };
  if (status >= 500) body.error_id = randomUUID();
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function crusoeStatusError(status: number, message: string): Response {
  if (status === 404) return crusoeError(404, 'not_found', message);
  if (status === 429) return crusoeError(429, 'too_many_requests', 'rate limit exceeded', { 'retry-after': '60' });
  if (status === 400) return crusoeError(400, 'bad_request', `bad request, check request parameters: ${message}`);
  return crusoeError(status >= 500 ? status : 500, 'internal_error', message);
}
