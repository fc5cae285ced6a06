import { describe, expect, it } from 'vitest';
import { CrusoeClient } from '../../contracts/crusoe/client.js';
import { startEmulator } from '../../servers/index.js';
import { signRequest } from '../../servers/crusoe/signature.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const credentials = { accessKeyId: 'AKCONFIGURED0000001', secretKey: 'c2VjcmV0LWZyb20tY29uZmln', organizationId: 'org-from-config' };
const env = useEmulator({ now: FROZEN_NOW, only: ['crusoe'], config: { crusoe: { strictQueryOrder: true, timestampSkewSeconds: 30, credentials } } });

function base() {
  return env.get().providers.crusoe.baseUrl;
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
  });
});
