import { randomUUID } from 'node:crypto';

export const JSON11 = 'application/x-amz-json-1.1';

/** CloudTrail's JSON 1.1 error: `{"__type","message"}`, `x-amzn-ErrorType`, `x-amzn-RequestId`. */
export function ctError(status: number, type: string, message: string, requestId: string = randomUUID(), headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ __type: type, message }), {
    status,
    headers: { 'content-type': JSON11, 'x-amzn-requestid': requestId, 'x-amzn-errortype': type, ...headers },
  });
}

/** Errors the core answers (strict validation, unknown routes, faults), in the JSON 1.1 shape. */
export function k2StatusError(status: number, message: string): Response {
  switch (status) {
    case 400: return ctError(400, 'SerializationException', message);
    case 401:
    case 403: return ctError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    case 404: return ctError(404, 'UnknownOperationException', `Unknown route: ${message}`);
    case 413: return ctError(413, 'RequestEntityTooLargeException', 'Request body is too large.');
    case 429: return ctError(429, 'ThrottlingException', 'Rate exceeded', undefined, { 'retry-after': '1' });
    case 503: return ctError(503, 'ServiceUnavailableException', message || 'Service unavailable');
    default: return ctError(status >= 500 ? status : 500, 'InternalFailure', message || 'internal error');
  }
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** S3's XML error document; HEAD answers carry no body. */
export function s3Error(status: number, code: string, message: string, head = false, extra: Record<string, string> = {}): Response {
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>`;
  for (const [k, v] of Object.entries(extra)) xml += `<${k}>${xmlEscape(v)}</${k}>`;
  xml += `<RequestId>${requestId}</RequestId></Error>`;
  return new Response(head ? null : xml, { status, headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId } });
}

/** The emulator console's error body. */
export function consoleError(status: number, error: string, message: string): Response {
  return new Response(JSON.stringify({ error, message }), { status, headers: { 'content-type': 'application/json' } });
}

export { xmlEscape };
