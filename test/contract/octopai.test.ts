import { describe, expect, it } from 'vitest';
import { OctopaiClient } from '../../contracts/octopai/client.js';
import { checkFetchResponse, checkResponse } from '../../contracts/validator.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const SPEC = 'openapi/octopai.yaml';
const env = useEmulator({ now: FROZEN_NOW, only: ['octopai'] });
type Creds = { userName: string; password: string; nonAdmin: { userName: string; password: string } };
const creds = () => env.get().providers.octopai.credentials as Creds;

/** Send one request, check the response against the spec, and return it. */
async function conforming(method: string, path: string, init: { token?: string; body?: string; contentType?: string } = {}): Promise<Response> {
  const url = env.get().providers.octopai.baseUrl + path;
  const headers: Record<string, string> = {};
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['Content-Type'] = init.contentType ?? 'application/json';
  const res = await fetch(url, { method, headers, body: init.body });
  const r = await checkFetchResponse(SPEC, method, url, res);
  expect(r.errors, `${method} ${path} ${res.status}`).toEqual([]);
  expect(r.ok).toBe(true);
  return res;
}

async function loginBody(c: { userName: string; password: string }) {
  const res = await conforming('POST', '/api/UserAccount/Login', { body: JSON.stringify({ Username: c.userName, Password: c.password }) });
  expect(res.status).toBe(200);
  return res.json() as Promise<{ accessToken: string; refreshToken: { token: string } }>;
}

describe('Octopai contract', () => {
  it('every success and error of Login, RefreshToken and UserEvents conforms to openapi/octopai.yaml', async () => {
    const admin = await loginBody(creds());
    const user = await loginBody(creds().nonAdmin);
    const t = admin.accessToken;
    const cases: Array<[string, string, { token?: string; body?: string; contentType?: string }, number]> = [
      ['POST', '/api/UserAccount/Login', { body: '{"Username":' }, 400],
      ['POST', '/api/UserAccount/Login', { body: '{"Username":"a@b.c"}' }, 400],
      ['POST', '/api/UserAccount/Login', { body: JSON.stringify({ Username: creds().userName, Password: 'no' }) }, 401],
      ['POST', '/api/UserAccount/Login', { body: JSON.stringify({ Password: 'x'.repeat(1_100_000) }) }, 413],
      ['POST', '/api/UserAccount/RefreshToken', { body: JSON.stringify({ accessToken: t, refreshToken: admin.refreshToken.token }) }, 200],
      ['POST', '/api/UserAccount/RefreshToken', { body: JSON.stringify({ accessToken: t, refreshToken: admin.refreshToken.token }) }, 401],
      ['POST', '/api/UserAccount/RefreshToken', { body: 'nope', contentType: 'text/plain' }, 400],
      ['GET', '/api/UserAccount/UserEvents', { token: t }, 200],
      ['GET', '/api/UserAccount/UserEvents?startDate=2026-03-01&endDate=2026-03-02&eventType=Login,LoginFailed&pageSize=1000', { token: t }, 200],
      ['GET', '/api/UserAccount/UserEvents?startDate=2027-01-01', { token: t }, 200],
      ['POST', '/api/UserAccount/UserEvents', { token: t, body: JSON.stringify({ userName: creds().userName, pageSize: 5 }) }, 200],
      ['POST', '/api/UserAccount/UserEvents', { token: t }, 200],
      ['GET', '/api/useraccount/userevents/', { token: t }, 200],
      ['GET', '/api/UserAccount/UserEvents?pageSize=0&startDate=x', { token: t }, 400],
      ['POST', '/api/UserAccount/UserEvents', { token: t, body: '{' }, 400],
      ['POST', '/api/UserAccount/UserEvents', { token: t, body: 'a=b', contentType: 'application/x-www-form-urlencoded' }, 400],
      ['POST', '/api/UserAccount/UserEvents', { token: t, body: JSON.stringify({ details: 'x'.repeat(1_100_000) }) }, 413],
      ['GET', '/api/UserAccount/UserEvents', {}, 401],
      ['GET', '/api/UserAccount/UserEvents', { token: 'a.b.c' }, 401],
      ['GET', '/api/UserAccount/UserEvents', { token: user.accessToken }, 403],
      ['GET', '/api/UserAccount/Login', {}, 405],
      ['PUT', '/api/UserAccount/UserEvents', { token: t }, 405],
      ['GET', '/api/UserAccount/Logout', {}, 404],
    ];
    for (const [method, path, init, status] of cases) {
      const res = await conforming(method, path, init);
      expect(res.status, `${method} ${path}`).toBe(status);
    }
  });

  it('the typed client works end to end, and the spec rejects what the emulator must never send', async () => {
    const c = new OctopaiClient({ baseUrl: env.get().providers.octopai.baseUrl, ...creds() });
    const r = await c.getUserEvents({ pageSize: '3', eventType: 'PageLoad' });
    expect(r.ok && r.body.length).toBe(3);
    const path = '/api/UserAccount/UserEvents';
    const good = r.ok ? r.body[0] : null;
    expect(checkResponse(SPEC, { method: 'GET', path, status: 200, contentType: 'application/json', body: [good] }).ok).toBe(true);
    const bad = [
      { ...good, eventDate: '2026-03-10T10:00:00Z' },
      { ...good, extra: 1 },
      { ...good, id: '12' },
    ];
    for (const b of bad) expect(checkResponse(SPEC, { method: 'GET', path, status: 200, contentType: 'application/json', body: [b] }).ok).toBe(false);
    expect(checkResponse(SPEC, { method: 'GET', path, status: 401, contentType: 'application/json', body: { message: 'x' } }).ok).toBe(false);
    expect(checkResponse(SPEC, { method: 'GET', path, status: 400, contentType: 'application/problem+json', body: { title: 'x', status: 400 } }).ok).toBe(
      false,
    );
    expect(checkResponse(SPEC, { method: 'POST', path: '/api/UserAccount/Login', status: 401, contentType: 'application/json', body: { error: 'x' } }).ok).toBe(
      false,
    );
  });
});
