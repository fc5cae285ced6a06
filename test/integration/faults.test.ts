import { describe, expect, it } from 'vitest';
import { CrusoeClient } from '../../contracts/crusoe/client.js';
import { RequestLog } from '../../servers/core/requestlog.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW, only: ['crusoe'] });

function client() {
  const e = env.get();
  const c = e.providers.crusoe.credentials as { accessKeyId: string; secretKey: string; organizationId: string };
  return new CrusoeClient({ baseUrl: e.providers.crusoe.baseUrl, ...c });
}
async function control(method: string, path: string, body?: unknown) {
  const r = await fetch(`${env.get().controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

describe('faults', () => {
  it('answers a rate of 5xx in the vendor shape, on the targeted route only, and clears at once', async () => {
    expect((await control('PUT', '/_emulator/faults/crusoe', { faults: [{ route: '/v1alpha5', errorRate: 1, errorStatus: 503 }] })).status).toBe(200);
    const r = await client().getAuditLogs();
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ code: 'internal_error', message: 'injected fault (emulator)' });
    // Another route (v1) is untouched.
    const v1 = await new CrusoeClient({
      ...(env.get().providers.crusoe.credentials as any),
      baseUrl: env.get().providers.crusoe.baseUrl,
      version: 'v1',
    }).getAuditLogs();
    expect(v1.status).toBe(200);
    await control('DELETE', '/_emulator/faults/crusoe');
    expect((await client().getAuditLogs()).status).toBe(200);
  });

  it('adds latency', async () => {
    await control('PUT', '/_emulator/faults/crusoe', [{ latency: { uniform: [150, 200] } }]);
    const t0 = Date.now();
    expect((await client().getAuditLogs()).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    await control('DELETE', '/_emulator/faults');
  });

  it('drops connections', async () => {
    await control('PUT', '/_emulator/faults/crusoe', [{ dropRate: 1 }]);
    await expect(client().getAuditLogs()).rejects.toThrow();
    await control('DELETE', '/_emulator/faults/crusoe');
    expect((await client().getAuditLogs()).status).toBe(200);
  });

  it('throttles by real request rate with the vendor 429 and Retry-After', async () => {
    await control('PUT', '/_emulator/faults/crusoe', [{ throttle: { perSecond: 1, burst: 2, retryAfterSeconds: 3 } }]);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const r = await client().getAuditLogs();
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.response.headers.get('retry-after');
        expect(r.body).toEqual({ code: 'too_many_requests', message: 'rate limit exceeded' });
      }
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(retryAfter).toBe('3');
    await control('DELETE', '/_emulator/faults/crusoe');
  });

  it('rejects bad fault specs with a message naming the field', async () => {
    for (const [bad, field] of [
      [{ errorRate: 2 }, 'errorRate'],
      [{ latency: 'slow' }, 'latency'],
      [{ route: 'nope' }, 'route'],
      [{ throttle: { perSecond: 0 } }, 'throttle.perSecond'],
      [{ explode: true }, 'explode'],
    ] as const) {
      const r = await control('PUT', '/_emulator/faults/crusoe', [bad]);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(field);
    }
    expect((await control('PUT', '/_emulator/faults/nosuch', [])).status).toBe(404);
  });
});

describe('throttle fault on every vendor', () => {
  // Requests go to `/` (faults act before routing), which no spec describes: conformance is checked per vendor elsewhere.
  const all = useEmulator({ now: FROZEN_NOW, validateResponses: false });
  it("sends the fault's retryAfterSeconds as Retry-After, in each vendor's 429", async () => {
    const e = all.get();
    for (const [id, p] of Object.entries(e.providers)) {
      const put = await fetch(`${e.controlUrl}/_emulator/faults/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ throttle: { perSecond: 0.001, burst: 1, retryAfterSeconds: 7 } }]),
      });
      expect(put.status).toBe(200);
      await fetch(`${p.baseUrl}/`);
      const r = await fetch(`${p.baseUrl}/`);
      expect(r.status, id).toBe(429);
      expect(r.headers.get('retry-after'), id).toBe('7');
      await r.arrayBuffer();
    }
  });
});

describe('request log', () => {
  it('shows the reason for each refusal, filterable by vendor and status', async () => {
    const e = env.get();
    const c = e.providers.crusoe.credentials as { accessKeyId: string; secretKey: string; organizationId: string };
    const bad = new CrusoeClient({ baseUrl: e.providers.crusoe.baseUrl, ...c, secretKey: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8' });
    await bad.getAuditLogs({ limit: '3' });
    const r = await control('GET', '/_emulator/requests?vendor=crusoe&status=401');
    const rec = r.body.requests[0];
    expect(rec).toMatchObject({ vendor: 'crusoe', method: 'GET', status: 401, auth: { outcome: 'refused', reason: 'signature mismatch' } });
    // The canonical string the emulator computed, never the secret.
    expect(rec.auth.canonical).toContain('\nlimit=3\nGET\n');
    expect(JSON.stringify(r.body)).not.toContain(c.secretKey);
    expect((await control('GET', '/_emulator/requests?status=abc')).status).toBe(400);
  });

  it('stays bounded however many requests arrive', () => {
    const log = new RequestLog(50);
    for (let i = 0; i < 10_000; i++) log.add({ time: '', vendor: i % 2 ? 'a' : 'b', method: 'GET', path: '/', status: 200, latencyMs: 0 });
    expect(log.size()).toBe(100);
    expect(log.list({ vendor: 'a', limit: 1000 })).toHaveLength(50);
    expect(log.list({ limit: 1 })[0].id).toBe(10_000);
  });
});
