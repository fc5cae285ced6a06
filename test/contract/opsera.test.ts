import { describe, expect, it } from 'vitest';
import { OpseraClient } from '../../contracts/opsera/client.js';
import { checkFetchResponse, checkResponse } from '../../contracts/validator.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const SPEC = 'openapi/opsera.yaml';
const env = useEmulator({ now: FROZEN_NOW, only: ['opsera'] });
type TokenName = 'api' | 'securityLogs' | 'readOnly' | 'expired' | 'deactivated' | 'notAdmin';

function tokens() {
  return (env.get().providers.opsera.credentials as { tokens: Record<TokenName, string> }).tokens;
}

/** Fetch and check one response against the spec, returning its status. */
async function conforming(method: string, path: string, token?: string, body?: string): Promise<number> {
  const url = env.get().providers.opsera.baseUrl + path;
  const res = await fetch(url, { method, headers: token ? { Authorization: `Bearer ${token}` } : {}, body });
  const r = await checkFetchResponse(SPEC, method, url, res);
  expect(r.errors, `${method} ${path} ${res.status}`).toEqual([]);
  expect(r.ok).toBe(true);
  return res.status;
}

describe('Opsera contract', () => {
  it('every success and every error of both routes conforms to openapi/opsera.yaml', async () => {
    const t = tokens();
    const cases: Array<[string, string, string | undefined, number, string?]> = [
      ['GET', '/api/v1/logs/user/actions', t.api, 200],
      ['GET', '/api/v1/logs/user/actions?type=pipeline,registry&count=10&date=2026-03-01', t.securityLogs, 200],
      ['GET', '/api/v1/logs/user/tokens', t.securityLogs, 200],
      ['GET', '/api/v1/logs/user/tokens?scope=nothing', t.api, 200],
      ['GET', '/api/v1/logs/user/actions?date=2026-02-30', t.api, 400],
      ['GET', '/api/v1/logs/user/tokens?count=-3', t.api, 400],
      ['GET', '/api/v1/logs/user/actions', undefined, 401],
      ['GET', '/api/v1/logs/user/tokens', 'not.a.jwt', 401],
      ['GET', '/api/v1/logs/user/actions', t.expired, 401],
      ['GET', '/api/v1/logs/user/tokens', t.deactivated, 401],
      ['GET', '/api/v1/logs/user/actions', t.readOnly, 403],
      ['GET', '/api/v1/logs/user/tokens', t.notAdmin, 403],
      ['POST', '/api/v1/logs/user/actions', t.api, 404, '{"not":'],
      ['GET', '/api/v1/logs/user/unknown', t.api, 404],
    ];
    for (const [method, path, token, status, body] of cases) {
      expect(await conforming(method, path, token, body), `${method} ${path}`).toBe(status);
    }
  });

  it('the typed client reads both logs and the spec rejects what the emulator must never send', async () => {
    const c = new OpseraClient({ baseUrl: env.get().providers.opsera.baseUrl, token: tokens().api });
    const a = await c.getUserActions({ count: '3' });
    const t = await c.getTokenUsage({ count: '3' });
    expect(a.ok && a.body.data.length).toBe(3);
    expect(t.ok && t.body.data[0].target).toBe('/v1/logs/user/tokens');
    if (!a.ok || !t.ok) return;
    const path = '/api/v1/logs/user/actions';
    // A token record on /actions, a missing key, a non-ObjectId id and a bare error string are all violations.
    expect(checkResponse(SPEC, { method: 'GET', path, status: 200, contentType: 'application/json', body: { count: 1, data: [t.body.data[0]] } }).ok).toBe(
      false,
    );
    const { __v: _drop, ...noV } = a.body.data[0];
    expect(checkResponse(SPEC, { method: 'GET', path, status: 200, contentType: 'application/json', body: { count: 1, data: [noV] } }).ok).toBe(false);
    expect(
      checkResponse(SPEC, { method: 'GET', path, status: 200, contentType: 'application/json', body: { count: 1, data: [{ ...a.body.data[0], _id: 'xyz' }] } })
        .ok,
    ).toBe(false);
    expect(checkResponse(SPEC, { method: 'GET', path, status: 401, contentType: 'application/json', body: { error: 'Unauthorized' } }).ok).toBe(false);
    expect(checkResponse(SPEC, { method: 'GET', path, status: 200, contentType: 'application/json', body: a.body }).ok).toBe(true);
  });
});
