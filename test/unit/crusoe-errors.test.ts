import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { buildCompany } from '../../fixtures/company.js';
import { assertConforms } from '../../contracts/validator.js';
import { Clock } from '../../servers/core/clock.js';
import { VendorFailure, type Failure } from '../../servers/core/failure.js';
import { ProviderRuntime, type CoreEnv } from '../../servers/core/provider.js';
import { RequestLog } from '../../servers/core/requestlog.js';
import { crusoe } from '../../servers/crusoe/index.js';

const PATH = '/v1alpha5/organizations/org/audit-logs';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Crusoe as the core runs it, except that its one route throws the failure it is given: what the
 * core renders (thrown failures, unknown routes, crashes) goes through Crusoe's own renderer.
 */
function throwing(make: () => Failure | Error, config: Record<string, unknown> = {}) {
  const provider = {
    ...crusoe,
    create: (ctx: Parameters<typeof crusoe.create>[0]) => {
      const app = new Hono<CoreEnv>().get(PATH, () => {
        const f = make();
        throw f instanceof Error ? f : new VendorFailure(f);
      });
      return { ...crusoe.create(ctx), app };
    },
  };
  const clock = new Clock({ now: 0, frozen: true });
  const runtime = new ProviderRuntime(provider, { seed: 1, clock, company: buildCompany(1), config: { crusoe: config }, log: new RequestLog() });
  return async (path = PATH) => {
    const res = await runtime.app.request(path);
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, string> };
  };
}

function conforms(r: { status: number; body: unknown }, path = PATH) {
  assertConforms('openapi/crusoe.yaml', { method: 'GET', path, status: r.status, contentType: 'application/json', body: r.body });
}

describe('Crusoe renders every failure the core hands it in its own shape', () => {
  it('401 bad_credential and 403 unauthorized, never a 500', async () => {
    const u = await throwing(() => ({ kind: 'unauthenticated', message: 'token expired' }))();
    expect(u).toMatchObject({ status: 401, body: { code: 'bad_credential', message: 'token expired' } });
    conforms(u);
    const f = await throwing(() => ({ kind: 'forbidden', message: 'user is not an admin of organization org' }))();
    expect(f).toMatchObject({ status: 403, body: { code: 'unauthorized', message: 'user is not an admin of organization org' } });
    conforms(f);
  });

  it('413 for a body over the limit, never a 500', async () => {
    const r = await throwing(() => ({ kind: 'too-large', message: 'request body too large' }))();
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ code: 'request_too_large', message: 'request body too large' });
  });

  it('400 with the bad-request prefix; a failure with its own code keeps it', async () => {
    const r = await throwing(() => ({ kind: 'bad-request', message: 'invalid limit' }))();
    expect(r).toMatchObject({ status: 400, body: { code: 'bad_request', message: 'bad request, check request parameters: invalid limit' } });
    conforms(r);
    const own = await throwing(() => ({ kind: 'bad-request', message: 'x', code: 'invalid_argument' }))();
    expect(own.body.code).toBe('invalid_argument');
  });

  it('404 not_found for an unknown route', async () => {
    // The core answers a path no Crusoe route serves; the route's own failure never runs.
    const r = await throwing(() => ({ kind: 'internal', message: 'not reached' }))('/v2/nowhere');
    expect(r).toMatchObject({ status: 404, body: { code: 'not_found', message: 'route not found' } });
    conforms(r, '/v2/nowhere');
  });

  it('429 too_many_requests with Retry-After from the failure, rounded up', async () => {
    const r = await throwing(() => ({ kind: 'throttled', message: 'slow down', retryAfterSeconds: 2.2 }))();
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(r.body).toEqual({ code: 'too_many_requests', message: 'rate limit exceeded' });
    conforms(r);
  });

  it('5xx internal_error with an error_id, for unavailability, internal failures and crashes', async () => {
    const u = await throwing(() => ({ kind: 'unavailable', message: 'upstream down', status: 502 }))();
    expect(u).toMatchObject({ status: 502, body: { code: 'internal_error', message: 'upstream down' } });
    expect(u.body.error_id).toMatch(UUID);
    conforms(u);
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const crash = await throwing(() => new TypeError('boom'))();
    quiet.mockRestore();
    expect(crash).toMatchObject({ status: 500, body: { code: 'internal_error', message: 'internal error' } });
    expect(crash.body.error_id).toMatch(UUID);
    conforms(crash);
  });

  it("errorBodyStyle=swagger: the swagger's examples for every kind, the status in code and the code word as message", async () => {
    const swagger = (f: Failure) => throwing(() => f, { errorBodyStyle: 'swagger' })();
    const cases: Array<[Failure, number, string]> = [
      [{ kind: 'bad-request', message: 'invalid limit' }, 400, 'bad_request'],
      [{ kind: 'unauthenticated', message: 'signature mismatch', code: 'bad_credential' }, 401, 'bad_credential'],
      [{ kind: 'forbidden', message: 'user is not an admin of organization org' }, 403, 'unauthorized'],
      [{ kind: 'not-found', message: 'route not found' }, 404, 'not_found'],
      [{ kind: 'too-large', message: 'request body too large' }, 413, 'request_too_large'],
      [{ kind: 'throttled', message: 'slow down', retryAfterSeconds: 2.2 }, 429, 'too_many_requests'],
      [{ kind: 'unavailable', message: 'upstream down', status: 503 }, 503, 'internal_error'],
      [{ kind: 'internal', message: 'boom' }, 500, 'internal_error'],
    ];
    for (const [f, status, word] of cases) {
      const r = await swagger(f);
      expect(r.status, f.kind).toBe(status);
      expect(r.body, f.kind).toEqual({ code: String(status), message: word });
      if (status !== 413) conforms(r);
    }
    expect((await swagger({ kind: 'throttled', message: 'x', retryAfterSeconds: 2.2 })).headers.get('retry-after')).toBe('3');
  });
});
