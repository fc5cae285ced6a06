/** Octopai's failures as ASP.NET Core answers them by default, and the Login envelope. */
import { retryAfter, type Failure, type FailureRenderer } from '../core/failure.js';
import type { components } from '../../openapi/generated/octopai.js';
import type { OctopaiSettings } from './settings.js';

type LoginFailure = components['schemas']['LoginFailure'];
type ValidationProblem = components['schemas']['ValidationProblem'];

const JSON_CT = 'application/json; charset=utf-8';
const PROBLEM_CT = 'application/problem+json; charset=utf-8';

/**
 * `code`s of failures that are not the JwtBearer / MVC shapes. A refused Login or RefreshToken
 * answers with the Login keys set to null (`detail` = `{userName}`); a refused Login's status is the
 * `loginFailureStatus` switch, a refused refresh is always 401, a bad body of either 400.
 */
export const LOGIN_REFUSED = 'LoginFailure';
export const REFRESH_REFUSED = 'RefreshFailure';
/** A known path with another method: 405 and `Allow` (`detail` = `{allow}`), as ASP.NET routing answers. */
export const METHOD_NOT_ALLOWED = 'MethodNotAllowed';
/** The JwtBearer handler's error name in the challenge; `detail` may carry its `error_description`. */
export const INVALID_TOKEN = 'invalid_token';

function empty(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

function problem(body: object, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': PROBLEM_CT } });
}

function envelope(status: number, f: Failure): Response {
  const userName = (f.detail as { userName?: string | null } | undefined)?.userName ?? null;
  const body: LoginFailure = {
    accessToken: null,
    expiration: null,
    refreshToken: null,
    userName,
    displayName: null,
    userEmail: null,
    isAdmin: false,
    error: f.message,
    groupMember: [],
    authLevel: null,
    displayModules: null,
  };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_CT } });
}

/** 401 from the JwtBearer handler: empty body and a Bearer challenge. */
function challenge(f: Failure): Response {
  const description = typeof f.detail === 'string' ? `, error_description="${f.detail}"` : '';
  return empty(401, { 'www-authenticate': `Bearer error="${f.code ?? INVALID_TOKEN}"${description}` });
}

/** 400 from model validation: parameter (or `$` for the body) → messages, carried in `detail`. */
function validationProblem(f: Failure): Response {
  const errors = (f.detail as ValidationProblem['errors'] | undefined) ?? { $: [f.message] };
  const body: ValidationProblem = { title: 'One or more validation errors occurred.', status: 400, errors };
  return problem(body, 400);
}

function serverProblem(status: number): Response {
  const title = status === 503 ? 'Service Unavailable' : 'An error occurred while processing your request.';
  return problem({ title, status }, status);
}

function isEnvelope(f: Failure): boolean {
  return f.code === LOGIN_REFUSED || f.code === REFRESH_REFUSED;
}

export function octopaiErrors(settings: OctopaiSettings): FailureRenderer {
  return {
    'bad-request': (f) => (isEnvelope(f) ? envelope(400, f) : validationProblem(f)),
    unauthenticated: (f) => {
      if (f.code === LOGIN_REFUSED) return envelope(settings.loginFailureStatus, f);
      if (f.code === REFRESH_REFUSED) return envelope(401, f);
      return challenge(f);
    },
    forbidden: () => empty(403),
    'not-found': (f) => {
      if (f.code !== METHOD_NOT_ALLOWED) return empty(404);
      return empty(405, { allow: (f.detail as { allow: string }).allow });
    },
    'too-large': () => empty(413),
    throttled: (f) => empty(429, retryAfter(f)),
    unavailable: (f) => serverProblem(f.status),
    internal: () => serverProblem(500),
  };
}
