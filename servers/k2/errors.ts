import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { retryAfter, statusOf, type Failure, type FailureKind, type FailureOf, type FailureRenderer } from '../core/failure.js';
import { JSON11, xmlEscape } from './wire.js';

/**
 * K2 answers in three dialects: CloudTrail's JSON 1.1, S3's XML and the emulator console's JSON.
 * Each surface names its dialect on the request once routed (`c.get('dialect')`); what the core
 * refuses before routing (unknown routes, strict mode, faults) answers in CloudTrail's.
 */
export type Dialect = 'cloudtrail' | 's3' | 'console';

/** Extra elements of an S3 error document (`BucketName`, `Key`), carried as a failure's `detail`. */
export type S3ErrorFields = Record<string, string>;

const dialectOf = (c: Context): Dialect => (c.get('dialect') as Dialect | undefined) ?? 'cloudtrail';

// Every CloudTrail exception an operation throws is a 400; these are the exceptions to that.
const CLOUDTRAIL_STATUS: Record<string, number> = { MissingAuthenticationTokenException: 403, RequestEntityTooLargeException: 413 };

/** What the core's own refusals look like in CloudTrail's dialect (they carry no exception name). */
const CLOUDTRAIL_DEFAULT: { [K in FailureKind]: (f: FailureOf<K>) => [number, string, string] } = {
  'bad-request': (f) => [400, 'SerializationException', f.message],
  unauthenticated: () => [403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'],
  forbidden: () => [403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'],
  'not-found': (f) => [404, 'UnknownOperationException', `Unknown route: ${f.message}`],
  'too-large': () => [413, 'RequestEntityTooLargeException', 'Request body is too large.'],
  throttled: () => [429, 'ThrottlingException', 'Rate exceeded'],
  unavailable: (f) =>
    f.status === 503 ? [503, 'ServiceUnavailableException', f.message || 'Service unavailable'] : [f.status, 'InternalFailure', f.message || 'internal error'],
  internal: (f) => [500, 'InternalFailure', f.message || 'internal error'],
};

/** CloudTrail's JSON 1.1 error: `{"__type","message"}`, `x-amzn-ErrorType`, `x-amzn-RequestId`. */
function cloudTrailError(f: Failure, c: Context): Response {
  const [status, type, message] = f.code
    ? [CLOUDTRAIL_STATUS[f.code] ?? 400, f.code, f.message]
    : (CLOUDTRAIL_DEFAULT[f.kind] as (f: Failure) => [number, string, string])(f);
  const requestId = (c.get('requestId') as string | undefined) ?? randomUUID();
  return new Response(JSON.stringify({ __type: type, message }), {
    status,
    headers: { 'content-type': JSON11, 'x-amzn-requestid': requestId, 'x-amzn-errortype': type, ...throttleHeaders(f) },
  });
}

const S3_STATUS: Record<string, number> = {
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  InvalidRequest: 400,
  InvalidArgument: 400,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  MethodNotAllowed: 405,
  NotImplemented: 501,
};
const S3_DEFAULT: Record<FailureKind, string> = {
  'bad-request': 'InvalidRequest',
  unauthenticated: 'AccessDenied',
  forbidden: 'AccessDenied',
  'not-found': 'NoSuchKey',
  'too-large': 'EntityTooLarge',
  throttled: 'SlowDown',
  unavailable: 'ServiceUnavailable',
  internal: 'InternalError',
};

/** S3's XML error document; HEAD answers carry no body. */
function s3Error(f: Failure, c: Context): Response {
  const code = f.code ?? S3_DEFAULT[f.kind];
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(f.message)}</Message>`;
  for (const [k, v] of Object.entries((f.detail ?? {}) as S3ErrorFields)) xml += `<${k}>${xmlEscape(v)}</${k}>`;
  xml += `<RequestId>${requestId}</RequestId></Error>`;
  return new Response(c.req.method === 'HEAD' ? null : xml, {
    status: S3_STATUS[code] ?? statusOf(f),
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId, ...throttleHeaders(f) },
  });
}

const CONSOLE_STATUS: Record<string, number> = {
  InvalidParameter: 400,
  InvalidBucketName: 400,
  NoSuchBucket: 404,
  NoSuchCustomer: 404,
  NoSuchReport: 404,
  ReportNotReady: 409,
  TooManyReportsGenerating: 409,
};
const CONSOLE_DEFAULT: Record<FailureKind, string> = {
  'bad-request': 'InvalidParameter',
  unauthenticated: 'Unauthenticated',
  forbidden: 'Forbidden',
  'not-found': 'NotFound',
  'too-large': 'InvalidParameter',
  throttled: 'Throttled',
  unavailable: 'Unavailable',
  internal: 'InternalError',
};

/** The emulator console's `{error, message}`. */
function consoleError(f: Failure): Response {
  const error = f.code ?? CONSOLE_DEFAULT[f.kind];
  return new Response(JSON.stringify({ error, message: f.message }), {
    status: CONSOLE_STATUS[error] ?? statusOf(f),
    headers: { 'content-type': 'application/json', ...throttleHeaders(f) },
  });
}

function throttleHeaders(f: Failure): Record<string, string> {
  return f.kind === 'throttled' ? retryAfter(f) : {};
}

const DIALECTS: Record<Dialect, (f: Failure, c: Context) => Response> = { cloudtrail: cloudTrailError, s3: s3Error, console: consoleError };

/** Every failure in the dialect of the surface that refused it. */
export function k2Errors(): FailureRenderer {
  const render = (f: Failure, c: Context) => DIALECTS[dialectOf(c)](f, c);
  return {
    'bad-request': render,
    unauthenticated: render,
    forbidden: render,
    'not-found': render,
    'too-large': render,
    throttled: render,
    unavailable: render,
    internal: render,
  };
}
