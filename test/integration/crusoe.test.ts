import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CrusoeClient, encodeQuery, type ErrorBody, type LogEntry } from '../../contracts/crusoe/client.js';
import { assertConforms } from '../../contracts/validator.js';
import { signRequest } from '../../servers/crusoe/signature.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const SPEC = 'openapi/crusoe.yaml';
const env = useEmulator({ now: FROZEN_NOW });

function creds() {
  type Key = { accessKeyId: string; secretKey: string };
  return env.get().providers.crusoe.credentials as Key & { organizationId: string; nonAdmin: Key };
}
function client(over: Partial<{ accessKeyId: string; secretKey: string; version: 'v1' | 'v1alpha5' }> = {}) {
  const c = creds();
  return new CrusoeClient({ baseUrl: env.get().providers.crusoe.baseUrl, ...c, ...over });
}

/** A signed supertest request with full control over what is signed and what is sent. */
function signed(query: string, opts: { path?: string; sign?: Partial<Parameters<typeof signRequest>[0]>; headers?: Record<string, string> } = {}) {
  const c = creds();
  const path = opts.path ?? `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
  const h = signRequest({ accessKeyId: c.accessKeyId, secretKey: c.secretKey, method: 'GET', path, query, ...opts.sign });
  return request(env.get().providers.crusoe.baseUrl)
    .get(`${path}${query ? `?${query}` : ''}`)
    .set({ ...h, ...opts.headers });
}

async function expectError(res: request.Response, status: number, code: string, message: string | RegExp) {
  const reqPath = (res as unknown as { req: { path: string } }).req.path;
  expect(res.status).toBe(status);
  expect(res.body.code).toBe(code);
  if (typeof message === 'string') expect(res.body.message).toBe(message);
  else expect(res.body.message).toMatch(message);
  assertConforms(SPEC, { method: 'GET', path: reqPath.split('?')[0], status: res.status, contentType: res.headers['content-type'], body: res.body });
}

describe('Crusoe audit logs: reads', () => {
  it('returns the last day by default, newest first, all 19 fields, conforming to the spec', async () => {
    const r = await client().getAuditLogs();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const items = r.body.items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(50);
    const now = Date.parse(FROZEN_NOW);
    for (const e of items) {
      expect(Object.keys(e)).toHaveLength(19);
      const t = Date.parse(e.start_time);
      expect(t).toBeLessThanOrEqual(now);
      expect(t).toBeGreaterThanOrEqual(now - 86_400_000);
    }
    const times = items.map((e) => Date.parse(e.start_time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(r.body.prev_page_token).toBe('');
    const contentType = r.response.headers.get('content-type');
    assertConforms(SPEC, { method: 'GET', path: new URL(r.response.url).pathname, status: 200, contentType, body: r.body });
  });

  it('serves the same under /v1', async () => {
    const a = await client().getAuditLogs({ limit: '5' });
    const b = await client({ version: 'v1' }).getAuditLogs({ limit: '5' });
    expect([a.ok, b.ok]).toEqual([true, true]);
    if (!a.ok || !b.ok) return;
    expect(a.body.items.length).toBeGreaterThan(0);
    expect(b.body.items).toEqual(a.body.items);
  });

  it('pages forwards and back with tokens, without overlap', async () => {
    const q = { start_time: '2026-03-01T00:00:00Z', limit: '25' };
    const p1 = await client().getAuditLogs(q);
    if (!p1.ok) throw new Error('p1');
    const p2 = await client().getAuditLogs({ ...q, next_token: p1.body.next_page_token });
    if (!p2.ok) throw new Error('p2');
    expect(p2.body.items).toHaveLength(25);
    expect(Date.parse(p2.body.items[0].start_time)).toBeLessThanOrEqual(Date.parse(p1.body.items[24].start_time));
    const back = await client().getAuditLogs({ ...q, prev_token: p2.body.prev_page_token });
    if (!back.ok) throw new Error('back');
    expect(back.body.items).toEqual(p1.body.items);
    expect(back.body.prev_page_token).toBe('');
    // limit may change between pages
    const p2b = await client().getAuditLogs({ ...q, limit: '5', next_token: p1.body.next_page_token });
    expect(p2b.ok && p2b.body.items).toEqual(p2.body.items.slice(0, 5));
    let total = 0;
    for await (const _ of client().entries({ ...q, limit: '200' })) total++;
    expect(total).toBeGreaterThan(50);
  });

  it('applies every filter: AND across, OR within, comma lists and repeated keys', async () => {
    const all: LogEntry[] = [];
    for await (const e of client().entries({ start_time: '2026-02-01T00:00:00Z', limit: '1000' })) all.push(e);
    expect(all.length).toBeGreaterThan(500);
    const pick = all.find((e) => e.project_id && e.locations.length && e.target_ids.length)!;
    const cases: Array<[Record<string, string>, (e: LogEntry) => boolean]> = [
      [{ actions: 'Create,Delete' }, (e) => ['Create', 'Delete'].includes(e.action)],
      [{ project_ids: pick.project_id.toUpperCase() }, (e) => e.project_id === pick.project_id],
      [{ actor_ids: pick.actor_id }, (e) => e.actor_id === pick.actor_id],
      [{ actor_emails: pick.actor_email.toUpperCase() }, (e) => e.actor_email === pick.actor_email && e.actor_type !== 'Crusoe Admin'],
      [{ actor_types: 'Crusoe Admin,System' }, (e) => e.actor_type !== 'User'],
      [{ target_ids: pick.target_ids[0] }, (e) => e.target_ids.includes(pick.target_ids[0])],
      [{ target_types: 'VM,KubernetesCluster' }, (e) => ['VM', 'KubernetesCluster'].includes(e.target_type)],
      [{ target_names: pick.target_names[0] }, (e) => e.target_names.includes(pick.target_names[0])],
      [{ locations: pick.locations[0] }, (e) => e.locations.includes(pick.locations[0])],
      [{ results: 'OK' }, (e) => e.result === 'OK'],
      [{ results_not: 'OK' }, (e) => e.result !== 'OK'],
      [{ surfaces: 'Console,Crusoe CLI/v0.30.0' }, (e) => ['Console', 'Crusoe CLI/v0.30.0'].includes(e.surface)],
      [{ actions: 'Create', target_types: 'VM' }, (e) => e.action === 'Create' && e.target_type === 'VM'],
    ];
    for (const [filter, pred] of cases) {
      const got: LogEntry[] = [];
      for await (const e of client().entries({ start_time: '2026-02-01T00:00:00Z', limit: '1000', ...filter })) got.push(e);
      const want = all.filter(pred);
      expect(want.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(got, JSON.stringify(filter)).toEqual(want);
    }
    // Repeated keys merge with comma lists.
    const c = creds();
    const rep = await signed('actions=Create&actions=Delete&limit=1000&start_time=2026-02-01T00%3A00%3A00Z');
    expect(rep.status).toBe(200);
    expect(rep.body.items.every((e: { action: string }) => ['Create', 'Delete'].includes(e.action))).toBe(true);
    void c;
  });

  it('clamps to 90 days of retention and honours end_time alone as [end-1d, end]', async () => {
    const old = await client().getAuditLogs({ start_time: '2020-01-01T00:00:00Z', results: ['OK'], limit: '1000' });
    expect(old.ok).toBe(true);
    const end = '2026-03-05T12:00:00Z';
    const r = await client().getAuditLogs({ end_time: end, limit: '1000' });
    if (!r.ok) throw new Error('end');
    for (const e of r.body.items) {
      expect(Date.parse(e.start_time)).toBeLessThanOrEqual(Date.parse(end));
      expect(Date.parse(e.start_time)).toBeGreaterThanOrEqual(Date.parse(end) - 86_400_000);
    }
    const oldest: LogEntry[] = [];
    for await (const e of client().entries({ start_time: '2020-01-01T00:00:00Z', limit: '1000', actor_types: ['System'] })) oldest.push(e);
    const edge = Date.parse(FROZEN_NOW) - 90 * 86_400_000;
    expect(Math.min(...oldest.map((e) => Date.parse(e.start_time)))).toBeGreaterThanOrEqual(edge);
  });

  it('records no reads: the same query twice gives the same answer', async () => {
    const a = await client().getAuditLogs({ limit: '10' });
    const b = await client().getAuditLogs({ limit: '10' });
    expect([a.ok, b.ok]).toEqual([true, true]);
    if (!a.ok || !b.ok) return;
    expect(a.body.items.length).toBeGreaterThan(0);
    expect(a.body.items).toEqual(b.body.items);
  });
});

describe('Crusoe audit logs: the failure ladder', () => {
  it('1: missing or malformed Authorization', async () => {
    const c = creds();
    const base = request(env.get().providers.crusoe.baseUrl);
    const path = `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
    await expectError(await base.get(path), 401, 'bad_credential', 'missing or malformed authorization header');
    await expectError(await base.get(path).set('Authorization', 'Basic abc'), 401, 'bad_credential', 'missing or malformed authorization header');
    await expectError(await base.get(path).set('Authorization', 'Bearer 1.0:onlytwo'), 401, 'bad_credential', 'missing or malformed authorization header');
    // Exactly three parts, none empty.
    for (const cred of ['1.0::sig', '1.0:key:', ':key:sig', '1.0:key:sig:extra', '::', 'nocolons']) {
      await expectError(await base.get(path).set('Authorization', `Bearer ${cred}`), 401, 'bad_credential', 'missing or malformed authorization header');
    }
  });
  it('2-3: version and key', async () => {
    const r1 = await signed('', { headers: { Authorization: `Bearer 2.0:${creds().accessKeyId}:x` } });
    await expectError(r1, 401, 'bad_credential', 'unsupported signature version');
    const r2 = await signed('', { sign: { accessKeyId: 'NOSUCHKEY00000000000' } });
    await expectError(r2, 401, 'bad_credential', 'invalid access key');
  });
  it('4-5: timestamp missing, unparsable, skewed; frozen emulator clock does not matter', async () => {
    await expectError(await signed('', { sign: { timestamp: 'yesterday' } }), 401, 'bad_credential', 'missing or invalid X-Crusoe-Timestamp header');
    const stale = new Date(Date.now() - 6 * 60_000).toISOString();
    await expectError(await signed('', { sign: { timestamp: stale } }), 401, 'bad_credential', 'request timestamp outside the allowed window');
    const future = new Date(Date.now() + 6 * 60_000).toISOString();
    await expectError(await signed('', { sign: { timestamp: future } }), 401, 'bad_credential', 'request timestamp outside the allowed window');
    const micro = new Date().toISOString().replace('Z', '123+00:00');
    expect((await signed('', { sign: { timestamp: micro } })).status).toBe(200);
  });
  it('6: a query piece with ";" is malformed', async () => {
    await expectError(await signed('limit=5;x=1'), 401, 'bad_credential', 'malformed query string');
  });
  it('8: tampered, unescaped, unprefixed and wrong-secret signatures are refused', async () => {
    const c = creds();
    const q = encodeQuery({ limit: '5', actions: ['Create'] });
    await expectError(await signed(q, { sign: { query: 'limit=6&actions=Create' } }), 401, 'bad_credential', 'signature mismatch');
    await expectError(await signed(q, { sign: { path: `/organizations/${c.organizationId}/audit-logs` } }), 401, 'bad_credential', 'signature mismatch');
    await expectError(await signed(q, { sign: { secretKey: c.nonAdmin.secretKey } }), 401, 'bad_credential', 'signature mismatch');
    // Unsorted raw query still verifies (the server re-sorts), unless strict mode is on.
    expect((await signed('limit=5&actions=Create')).status).toBe(200);
  });
  it('9: non-admin member and foreign organization get 403', async () => {
    const c = creds();
    const na = await client({ accessKeyId: c.nonAdmin.accessKeyId, secretKey: c.nonAdmin.secretKey }).getAuditLogs();
    expect(na.status).toBe(403);
    expect(na.body).toEqual({ code: 'unauthorized', message: `user is not an admin of organization ${c.organizationId}` });
    const other = '11111111-2222-4333-8444-555555555555';
    const fo = await client().getAuditLogs({}, { organizationId: other });
    expect(fo.status).toBe(403);
    expect((fo.body as ErrorBody).message).toBe(`user is not an admin of organization ${other}`);
  });
  it('10: every parameter with garbage gets a 400 naming it, never a 5xx', async () => {
    const bad: Array<[string, string]> = [
      ['start_time=2024-07-01', 'invalid start_time'],
      ['start_time=2024-13-01T00%3A00%3A00Z', 'invalid start_time'],
      ['start_time=2026-03-09T00%3A00%3A00+00%3A00', 'invalid start_time'],
      ['end_time=soon', 'invalid end_time'],
      ['end_time=2026-03-01T00%3A00%3A00Z&start_time=2026-03-02T00%3A00%3A00Z', 'start_time must not be after end_time'],
      ['limit=0', 'invalid limit'],
      ['limit=1001', 'invalid limit'],
      ['limit=ten', 'invalid limit'],
      ['limit=-5', 'invalid limit'],
      ['next_token=garbage', 'invalid next_token'],
      ['prev_token=eyJ2IjoxfQ', 'invalid prev_token'],
      ['next_token=a&prev_token=b', 'only one of next_token and prev_token may be set'],
      ['limit=0&start_time=bad', 'invalid start_time'],
    ];
    for (const [q, detail] of bad) {
      await expectError(await signed(q), 400, 'bad_request', `bad request, check request parameters: ${detail}`);
    }
  });
  it('10: a page token reused with other filters, or as the other direction, is refused', async () => {
    const p1 = await client().getAuditLogs({ limit: '2' });
    if (!p1.ok) throw new Error('p1');
    const tok = p1.body.next_page_token;
    const r = await client().getAuditLogs({ limit: '2', actions: ['Create'], next_token: tok });
    expect(r.status).toBe(400);
    expect((r.body as ErrorBody).message).toBe('bad request, check request parameters: page token does not match the request filters');
    const swapped = await client().getAuditLogs({ limit: '2', prev_token: tok });
    expect((swapped.body as ErrorBody).message).toBe('bad request, check request parameters: invalid prev_token');
  });
  it('unknown routes and methods get 404 in Crusoe shape', async () => {
    const base = request(env.get().providers.crusoe.baseUrl);
    const r = await base.post(`/v1alpha5/organizations/${creds().organizationId}/audit-logs`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ code: 'not_found', message: 'route not found' });
    expect((await base.get('/nope')).status).toBe(404);
  });
});
