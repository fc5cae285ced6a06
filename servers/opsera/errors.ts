import { STATUS_CODES } from 'node:http';
import { retryAfter, type FailureRenderer } from '../core/failure.js';
import type { OpseraSettings } from './settings.js';

/**
 * Opsera's error body: `{"message": ...}` JSON, or the bare string as text/plain (`errorBodyFormat = "text"`).
 * Its Express app answers with the status's reason phrase; only a bad request says what was wrong.
 */
export function opseraErrors(settings: Pick<OpseraSettings, 'errorBodyFormat'>): FailureRenderer {
  const contentType = settings.errorBodyFormat === 'text' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  const body = (status: number, message: string, headers: Record<string, string> = {}): Response =>
    new Response(settings.errorBodyFormat === 'text' ? message : JSON.stringify({ message }), {
      status,
      headers: { 'content-type': contentType, ...headers },
    });
  const phrase = (status: number, headers?: Record<string, string>) => body(status, STATUS_CODES[status] ?? '', headers);
  return {
    'bad-request': (f) => body(400, f.message),
    unauthenticated: () => phrase(401),
    forbidden: () => phrase(403),
    'not-found': () => phrase(404),
    'too-large': () => phrase(413),
    throttled: (f) => phrase(429, retryAfter(f)),
    // Only 503 keeps its status: a 502 or 504 fault has always come out as a 500 here, the server error the spec documents.
    unavailable: (f) => phrase(f.status === 503 ? 503 : 500),
    internal: () => phrase(500),
  };
}
