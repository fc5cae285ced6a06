/** Octopai's error shapes (octopai.md section 7), modelled on ASP.NET Core defaults. */

const JSON_CT = 'application/json; charset=utf-8';
const PROBLEM_CT = 'application/problem+json; charset=utf-8';

/** A status with no body (401, 403, 404, 405, 413 as ASP.NET sends them). */
export function empty(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

/** 401 from the JwtBearer handler: empty body and a Bearer challenge. */
export function challenge(description?: string): Response {
  const value = description ? `Bearer error="invalid_token", error_description="${description}"` : 'Bearer error="invalid_token"';
  return empty(401, { 'www-authenticate': value });
}

/** 400 validation problem: `{title, status, errors: {<param>: [<text>]}}`. */
export function validationProblem(errors: Record<string, string[]>): Response {
  const body = { title: 'One or more validation errors occurred.', status: 400, errors };
  return new Response(JSON.stringify(body), { status: 400, headers: { 'content-type': PROBLEM_CT } });
}

export function serverProblem(status: number): Response {
  const title = status === 503 ? 'Service Unavailable' : 'An error occurred while processing your request.';
  return new Response(JSON.stringify({ title, status }), { status, headers: { 'content-type': PROBLEM_CT } });
}

export function json(body: unknown, status = 200): Response {
  const text = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  return new Response(text as BodyInit, { status, headers: { 'content-type': JSON_CT } });
}

/** The Login / RefreshToken failure envelope: the success keys with nulls and the message in `error`. */
export function loginFailure(status: number, userName: string | null, error: string): Response {
  return json(
    {
      accessToken: null, expiration: null, refreshToken: null, userName, displayName: null, userEmail: null,
      isAdmin: false, error, groupMember: [], authLevel: null, displayModules: null,
    },
    status,
  );
}

/** Failures the core answers (strict validation, unknown routes, injected faults). */
export function octopaiStatusError(status: number, message: string): Response {
  if (status === 400) return validationProblem({ $: [message] });
  if (status === 401) return challenge();
  if (status === 429) return empty(429, { 'retry-after': '60' });
  if (status === 403 || status === 404 || status === 405 || status === 413) return empty(status);
  return serverProblem(status >= 500 ? status : 500);
}
