import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { renderFailure, type Failure } from '../../servers/core/failure.js';
import { INVALID_ORGANISATION, instaclustrErrors, methodNotAllowed } from '../../servers/instaclustr/errors.js';

async function render(f: Failure, legacy = false) {
  const app = new Hono();
  app.get('/', (c) => renderFailure(instaclustrErrors({ rateLimitBody: legacy ? 'legacy' : 'v2' }), f, c));
  const r = await app.request('/');
  return { status: r.status, headers: Object.fromEntries(r.headers), body: await r.json() };
}

describe('Instaclustr error shapes', () => {
  it('every kind as ErrorResponseV2 named by its reason phrase, or ErrorListResponseV2 for a bad request', async () => {
    const json = { 'content-type': 'application/json' };
    expect(await render({ kind: 'bad-request', message: 'x', detail: [{ name: 'pageSize', message: 'bad' }] })).toEqual({
      status: 400,
      headers: json,
      body: { errors: [{ name: 'pageSize', message: 'bad' }] },
    });
    expect(await render({ kind: 'bad-request', message: 'request does not conform' })).toEqual({
      status: 400,
      headers: json,
      body: { errors: [{ name: 'request', message: 'request does not conform' }] },
    });
    expect(await render({ kind: 'unauthenticated', message: 'Invalid username or API key' })).toEqual({
      status: 401,
      headers: { ...json, 'www-authenticate': 'Basic realm="instaclustr"' },
      body: { name: 'Unauthorized', message: 'Invalid username or API key' },
    });
    expect((await render({ kind: 'forbidden', message: 'm' })).body).toEqual({ name: 'Forbidden', message: 'm' });
    expect((await render({ kind: 'not-found', message: 'route not found' })).body).toEqual({ name: 'Not Found', message: 'Resource not found' });
    expect((await render({ kind: 'not-found', message: 'Invalid organization id', code: INVALID_ORGANISATION })).body).toEqual({
      name: 'Not Found',
      message: 'Invalid organization id',
    });
    expect(await render({ kind: 'too-large', message: 'm' })).toEqual({ status: 413, headers: json, body: { name: 'Payload Too Large', message: 'm' } });
    expect(await render({ kind: 'internal', message: 'm' })).toEqual({ status: 500, headers: json, body: { name: 'Internal Server Error', message: 'm' } });
    expect(await render({ kind: 'unavailable', message: 'm', status: 502 })).toEqual({
      status: 502,
      headers: json,
      body: { name: 'Bad Gateway', message: 'm' },
    });
    expect((await render({ kind: 'unavailable', message: 'm', status: 503 })).body.name).toBe('Service Unavailable');
    expect((await render({ kind: 'unavailable', message: 'm', status: 504 })).body.name).toBe('Gateway Timeout');
  });
  it('429: Retry-After from the failure; v2 or legacy body, always "Rate Limit Exceeded"', async () => {
    const f: Failure = { kind: 'throttled', message: 'rate exceeded (emulator throttling fault)', retryAfterSeconds: 7 };
    expect(await render(f)).toEqual({
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '7' },
      body: { name: 'Too Many Requests', message: 'Rate Limit Exceeded' },
    });
    expect((await render({ ...f, retryAfterSeconds: 0.2 })).headers['retry-after']).toBe('1');
    expect((await render(f, true)).body).toEqual({ status: 429, message: 'Rate Limit Exceeded', errorDetails: {}, code: 429, link: '' });
  });
  it('405 names the method and allows GET', async () => {
    const r = methodNotAllowed('POST');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET');
    expect(await r.json()).toEqual({ name: 'Method Not Allowed', message: 'Method POST is not allowed on this resource' });
  });
});
