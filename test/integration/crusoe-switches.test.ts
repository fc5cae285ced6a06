import { describe, expect, it } from 'vitest';
import { CrusoeClient } from '../../contracts/crusoe/client.js';
import { startEmulator } from '../../servers/index.js';
import { signRequest } from '../../servers/crusoe/signature.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const credentials = { accessKeyId: 'AKCONFIGURED0000001', secretKey: 'c2VjcmV0LWZyb20tY29uZmln', organizationId: 'org-from-config' };
const env = useEmulator({
  now: FROZEN_NOW,
  only: ['crusoe'],
  config: { crusoe: { strictQueryOrder: true, timestampSkewSeconds: 30, unknownParameters: 'reject', credentials } },
});
const swagger = useEmulator({ now: FROZEN_NOW, only: ['crusoe'], config: { crusoe: { errorBodyStyle: 'swagger' } } });
const strict = useEmulator({ now: FROZEN_NOW, only: ['crusoe'], validateRequests: true });

function base() {
  return env.get().providers.crusoe.baseUrl;
}

/** A request signed over `query` exactly as sent (already sorted and escaped). */
async function signedGet(emu: typeof env, query: string, over: Partial<typeof credentials> = {}) {
  const c = { ...(emu.get().providers.crusoe.credentials as typeof credentials), ...over };
  const path = `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
  const res = await fetch(`${emu.get().providers.crusoe.baseUrl}${path}?${query}`, { headers: signRequest({ ...c, method: 'GET', path, query }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Crusoe switches', () => {
  it('credentials replace the first admin key and the organization id', async () => {
    expect(env.get().providers.crusoe.credentials).toMatchObject(credentials);
    expect((await new CrusoeClient({ baseUrl: base(), ...credentials }).getAuditLogs({ limit: '1' })).status).toBe(200);
  });

  it('strictQueryOrder refuses a signed query whose keys are not sorted', async () => {
    const path = `/v1alpha5/organizations/${credentials.organizationId}/audit-logs`;
    const query = 'limit=1&actions=Create';
    const headers = signRequest({ ...credentials, method: 'GET', path, query });
    const r = await fetch(`${base()}${path}?${query}`, { headers });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ code: 'bad_credential', message: 'query parameters must be sorted' });
  });

  it('timestampSkewSeconds narrows the freshness window', async () => {
    const minuteAgo = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = await new CrusoeClient({ baseUrl: base(), ...credentials }).getAuditLogs({}, { timestamp: minuteAgo });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ code: 'bad_credential', message: 'request timestamp outside the allowed window' });
  });

  it('unknownParameters=reject answers 400 naming the first unknown parameter; offset is known', async () => {
    expect(await signedGet(env, 'foo=1&limit=1&page=2')).toEqual({
      status: 400,
      body: { code: 'bad_request', message: "bad request, check request parameters: unknown parameter 'foo'" },
    });
    expect((await signedGet(env, 'limit=1&offset=1')).status).toBe(200);
    // A bad known parameter is named before an unknown one.
    expect((await signedGet(env, 'foo=1&limit=0')).body.message).toBe('bad request, check request parameters: invalid limit');
  });

  it('strict mode (validateRequests) refuses unknown parameters, not offset', async () => {
    const r = await signedGet(strict, 'foo=1&limit=1');
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('bad_request');
    expect(r.body.message).toContain("unknown query parameter 'foo'");
    expect((await signedGet(strict, 'limit=1&offset=1')).status).toBe(200);
    expect((await signedGet(strict, 'limit=1&offset=-1')).status).toBe(400);
  });

  it("errorBodyStyle=swagger answers the published swagger's examples: the status in code, the code word as message", async () => {
    const c = swagger.get().providers.crusoe.credentials as typeof credentials & { nonAdmin: { accessKeyId: string; secretKey: string } };
    const url = swagger.get().providers.crusoe.baseUrl;
    const unsigned = await fetch(`${url}/v1alpha5/organizations/${c.organizationId}/audit-logs`);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ code: '401', message: 'bad_credential' });
    expect(await signedGet(swagger, 'limit=0')).toEqual({ status: 400, body: { code: '400', message: 'bad_request' } });
    expect(await signedGet(swagger, 'limit=1', c.nonAdmin)).toEqual({ status: 403, body: { code: '403', message: 'unauthorized' } });
    const nowhere = await fetch(`${url}/v2/nowhere`);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toEqual({ code: '404', message: 'not_found' });
    // The default stays the observed real shape.
    const observed = await signedGet(env, 'limit=0');
    expect(observed).toEqual({ status: 400, body: { code: 'bad_request', message: 'bad request, check request parameters: invalid limit' } });
  });

  it('a misspelt, ill-typed or out-of-range switch stops start-up naming it', async () => {
    await expect(startEmulator({ portBase: 0, only: ['crusoe'], config: { crusoe: { strictQueryOrdr: true } } })).rejects.toThrow(
      /unknown setting 'crusoe\.strictQueryOrdr'/,
    );
    await expect(startEmulator({ portBase: 0, only: ['crusoe'], config: { crusoe: { timestampSkewSeconds: '300' } } })).rejects.toThrow(
      /crusoe\.timestampSkewSeconds/,
    );
    await expect(startEmulator({ portBase: 0, only: ['crusoe'], config: { crusoe: { rateLimitPerMinute: -1 } } })).rejects.toThrow(
      /crusoe\.rateLimitPerMinute/,
    );
    await expect(startEmulator({ portBase: 0, only: ['crusoe'], config: { crusoe: { credentials: { accessKey: 'x' } } } })).rejects.toThrow(
      /unknown setting 'crusoe\.credentials\.accessKey'/,
    );
    await expect(startEmulator({ portBase: 0, only: ['crusoe'], config: { crusoe: { unknownParameters: 'deny' } } })).rejects.toThrow(
      /crusoe\.unknownParameters/,
    );
    await expect(startEmulator({ portBase: 0, only: ['crusoe'], config: { crusoe: { errorBodyStyle: 'openapi' } } })).rejects.toThrow(/crusoe\.errorBodyStyle/);
  });
});
