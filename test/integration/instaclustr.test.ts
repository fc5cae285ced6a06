import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ACTION_KINDS } from '../../fixtures/catalogues/instaclustr.js';
import {
  ACCOUNT_USER_ACTIONS_PATH,
  basicAuth,
  InstaclustrClient,
  organisationUserActionsPath,
  type OrganisationQuery,
  type UserAction,
  type UserActionsPage,
} from '../../contracts/instaclustr/client.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const DAY = 86_400_000;
// The per-user rate limit is exercised deliberately in instaclustr-switches.test.ts; here it is off.
const env = useEmulator({ now: FROZEN_NOW, only: ['instaclustr'], config: { instaclustr: { rateLimitPerSecond: 0 } } });

interface Key {
  userName: string;
  apiKey: string;
  keyType: string;
  accountId?: string;
  active: boolean;
  allowedCidrs: string[];
}
interface Creds {
  username: string;
  provisioningApiKey: string;
  readOnlyProvisioningApiKey: string;
  monitoringApiKey: string;
  organisationManagementApiKey: string;
  accountId: string;
  organisationId: string;
  revokedApiKey: string;
  restrictedApiKey: string;
  foreignOrganisationId: string;
  accounts: Array<{ accountId: string; name: string; organisationId: string | null }>;
  users: Array<{ userName: string; serviceUser: boolean; organisationAdmin: boolean; accounts: Array<{ accountId: string; role: string }> }>;
  keys: Key[];
}
const creds = (): Creds => ({ ...env.get().providers.instaclustr.credentials, ...env.get().manifest().providers.instaclustr }) as unknown as Creds;
const base = () => env.get().providers.instaclustr.baseUrl;
const client = (apiKey?: string) =>
  new InstaclustrClient({
    baseUrl: base(),
    username: creds().username,
    apiKey: apiKey ?? creds().provisioningApiKey,
    organisationApiKey: creds().organisationManagementApiKey,
  });
const orgPath = () => organisationUserActionsPath(creds().organisationId);
const PINNED = '2026-03-10T09:00:00Z';

async function page(q: OrganisationQuery = {}, apiKey?: string): Promise<UserActionsPage> {
  const r = await client(apiKey).getAccountUserActions(q);
  if (!r.ok) throw new Error(`account ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
async function orgPage(q: OrganisationQuery = {}): Promise<UserActionsPage> {
  const r = await client().getOrganisationUserActions(creds().organisationId, q);
  if (!r.ok) throw new Error(`org ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
async function everything(q: OrganisationQuery = {}): Promise<UserAction[]> {
  const out: UserAction[] = [];
  for await (const r of client().all({ organisationId: creds().organisationId }, { endTime: PINNED, ...q })) out.push(r);
  return out;
}
const raw = (path: string, query: string, key = creds().provisioningApiKey, user = creds().username) =>
  request(base())
    .get(`${path}${query ? `?${query}` : ''}`)
    .set('Authorization', basicAuth(user, key));

describe('Instaclustr user actions: reads', () => {
  it("account endpoint: default page of 10, newest first, 13 keys, only the key's account, counts over the whole set", async () => {
    const b = await page();
    const c = creds();
    expect(b.startIndex).toBe(0);
    expect(b.itemsPerPage).toBe(10);
    expect(b.resources).toHaveLength(10);
    expect(b.totalResults).toBeGreaterThan(1000);
    for (const r of b.resources) {
      expect(Object.keys(r)).toHaveLength(13);
      expect(r.accountId).toBe(c.accountId);
      expect(r.organisationId).toBe(c.organisationId);
      expect(Date.parse(r.timestamp)).toBeLessThanOrEqual(Date.parse(FROZEN_NOW));
      expect(r.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const times = b.resources.map((r) => r.timestamp);
    expect([...times].sort().reverse()).toEqual(times);
    const counts = b.actionCounts!;
    expect(Object.values(counts).reduce((a, n) => a + n, 0)).toBe(b.totalResults);
    expect(Object.keys(counts)).toEqual([...Object.keys(counts)].sort());
    expect(Object.values(counts).every((n) => n >= 1)).toBe(true);
  });

  it('read-only provisioning key reads the same account', async () => {
    const a = await page({ pageSize: 5, endTime: PINNED });
    const b = await page({ pageSize: 5, endTime: PINNED }, creds().readOnlyProvisioningApiKey);
    expect(b).toEqual(a);
  });

  it('organisation endpoint: the organisation plus its linked accounts, never an unlinked account', async () => {
    const c = creds();
    const primaryKey = (accountId: string) =>
      c.keys.find(
        (k) => k.userName === c.username && k.accountId === accountId && k.keyType === 'PROVISIONING' && k.active && k.allowedCidrs.includes('0.0.0.0/0'),
      )!.apiKey;
    const linked = c.accounts.filter((a) => a.organisationId === c.organisationId);
    const unlinked = c.accounts.filter((a) => a.organisationId === null);
    expect(linked.length).toBeGreaterThanOrEqual(3);
    expect(unlinked.length).toBe(1);
    const q = { pageSize: 1, endTime: PINNED, getActionCounts: false };
    const org = await orgPage(q);
    const orgOnly = await orgPage({ ...q, organisationLogsOnly: true });
    const accOnly = await orgPage({ ...q, accountLogsOnly: true });
    let sum = 0;
    for (const a of linked) sum += (await page(q, primaryKey(a.accountId))).totalResults;
    expect(orgOnly.totalResults).toBeGreaterThan(0);
    expect(accOnly.totalResults).toBe(sum);
    expect(org.totalResults).toBe(sum + orgOnly.totalResults);
    const sandbox = await page(q, primaryKey(unlinked[0].accountId));
    expect(sandbox.totalResults).toBeGreaterThan(0);
    expect(sandbox.resources[0].organisationId).toBeNull();
    const onlyOrg = await orgPage({ organisationLogsOnly: true, pageSize: 50 });
    expect(onlyOrg.resources.every((r) => r.accountId === null && r.organisationId === c.organisationId)).toBe(true);
    const onlyAcc = await orgPage({ accountLogsOnly: true, pageSize: 50 });
    expect(onlyAcc.resources.every((r) => r.accountId !== null)).toBe(true);
  });

  it('startIndex pages without overlap; beyond the end is an empty page with the same total', async () => {
    const q = { endTime: PINNED, getActionCounts: false };
    const whole = await orgPage({ ...q, pageSize: 150 });
    const parts: UserAction[] = [];
    for (let i = 0; i < 3; i++) parts.push(...(await orgPage({ ...q, pageSize: 50, startIndex: i * 50 })).resources);
    expect(parts).toEqual(whole.resources);
    const far = await orgPage({ ...q, startIndex: whole.totalResults });
    expect(far.resources).toEqual([]);
    expect(far.totalResults).toBe(whole.totalResults);
    expect(far.startIndex).toBe(whole.totalResults);
    expect((await orgPage({ ...q, pageSize: 1 })).resources).toHaveLength(1);
    const max = await orgPage({ ...q, pageSize: 1000 });
    expect(max.resources).toHaveLength(1000);
    expect(max.itemsPerPage).toBe(1000);
  });

  it('actionKinds: repeated keys, comma lists, mixed; unknown kinds ignored, all-unknown drops the filter', async () => {
    const want = ['CHANGE_CLUSTER_SETTINGS', 'CREATE_KAFKA_TOPIC', 'USER_LOGIN'];
    const path = orgPath();
    const key = creds().organisationManagementApiKey;
    const forms = [
      'actionKinds=CHANGE_CLUSTER_SETTINGS&actionKinds=CREATE_KAFKA_TOPIC&actionKinds=USER_LOGIN',
      'actionKinds=CHANGE_CLUSTER_SETTINGS,CREATE_KAFKA_TOPIC,USER_LOGIN',
      'actionKinds=CHANGE_CLUSTER_SETTINGS,CREATE_KAFKA_TOPIC&actionKinds=USER_LOGIN&actionKinds=NOT_A_KIND',
    ];
    const totals: number[] = [];
    for (const f of forms) {
      const r = await raw(path, `${f}&pageSize=200&endTime=${PINNED}`, key);
      expect(r.status).toBe(200);
      expect(r.body.resources.every((x: UserAction) => want.includes(x.action))).toBe(true);
      expect(Object.keys(r.body.actionCounts).sort()).toEqual(want);
      totals.push(r.body.totalResults);
    }
    expect(new Set(totals).size).toBe(1);
    const all = await orgPage({ endTime: PINNED, pageSize: 1 });
    const unknown = await raw(path, `actionKinds=NOPE&actionKinds=change_cluster_settings&pageSize=1&endTime=${PINNED}`, key);
    expect(unknown.body.totalResults).toBe(all.totalResults);
    const counts = all.actionCounts!;
    expect(totals[0]).toBe(want.reduce((a, k) => a + (counts[k] ?? 0), 0));
  });

  it('crudOperations: repeated and comma lists, duplicates tolerated', async () => {
    const all = await orgPage({ endTime: PINNED, pageSize: 1 });
    const crudOf = new Map<string, string>(ACTION_KINDS.map((a) => [a.kind, a.crud]));
    const expected = Object.entries(all.actionCounts!)
      .filter(([k]) => ['CREATE', 'DELETE'].includes(crudOf.get(k)!))
      .reduce((a, [, n]) => a + n, 0);
    for (const q of ['crudOperations=CREATE&crudOperations=DELETE', 'crudOperations=CREATE,DELETE,CREATE']) {
      const r = await raw(orgPath(), `${q}&pageSize=100&endTime=${PINNED}`, creds().organisationManagementApiKey);
      expect(r.status).toBe(200);
      expect(r.body.totalResults).toBe(expected);
      expect(r.body.resources.every((x: UserAction) => ['CREATE', 'DELETE'].includes(x.crudOperation))).toBe(true);
    }
  });

  it('getActionCounts=false leaves actionCounts out; booleans are case-insensitive', async () => {
    const r = await raw(ACCOUNT_USER_ACTIONS_PATH, 'getActionCounts=FALSE&pageSize=2', creds().provisioningApiKey);
    expect(r.status).toBe(200);
    expect('actionCounts' in r.body).toBe(false);
    const t = await raw(ACCOUNT_USER_ACTIONS_PATH, 'getActionCounts=True&pageSize=2', creds().provisioningApiKey);
    expect(t.body.actionCounts).toBeTypeOf('object');
  });

  it('userName: exact, case-insensitive, repeated keys ORed', async () => {
    const c = creds();
    const humans = c.users.filter((u) => !u.serviceUser && u.accounts.some((a) => a.accountId === c.accountId)).slice(0, 2);
    const one = await orgPage({ userName: [humans[0].userName.toUpperCase()], pageSize: 100, endTime: PINNED });
    expect(one.totalResults).toBeGreaterThan(0);
    expect(one.resources.every((r) => r.userName === humans[0].userName)).toBe(true);
    const two = await orgPage({ userName: humans.map((h) => h.userName), pageSize: 1, endTime: PINNED });
    const second = await orgPage({ userName: [humans[1].userName], pageSize: 1, endTime: PINNED });
    expect(two.totalResults).toBe(one.totalResults + second.totalResults);
    expect((await orgPage({ userName: [humans[0].userName.slice(0, 5)], pageSize: 1 })).totalResults).toBe(0);
  });

  it('accountId filter on the organisation endpoint (repeated and comma); ignored on the account endpoint', async () => {
    const c = creds();
    const [a, b] = c.accounts.filter((x) => x.organisationId);
    const ra = await orgPage({ accountId: [a.accountId], pageSize: 50, endTime: PINNED });
    expect(ra.resources.every((r) => r.accountId === a.accountId)).toBe(true);
    const rb = await orgPage({ accountId: [b.accountId], pageSize: 1, endTime: PINNED });
    const both = await raw(orgPath(), `accountId=${a.accountId},${b.accountId.toUpperCase()}&pageSize=1&endTime=${PINNED}`, c.organisationManagementApiKey);
    expect(both.body.totalResults).toBe(ra.totalResults + rb.totalResults);
    const unlinked = c.accounts.find((x) => !x.organisationId)!;
    expect((await orgPage({ accountId: [unlinked.accountId] })).totalResults).toBe(0);
    const ignored = await raw(ACCOUNT_USER_ACTIONS_PATH, `accountId=${b.accountId}&organisationLogsOnly=maybe&pageSize=1&endTime=${PINNED}`);
    expect(ignored.status).toBe(200);
    expect(ignored.body.totalResults).toBe((await page({ pageSize: 1, endTime: PINNED })).totalResults);
  });

  it('time range: startTime inclusive, endTime exclusive, date-only and offset forms, clamped to 365 days', async () => {
    const rec = (await orgPage({ pageSize: 1, startIndex: 40, endTime: PINNED })).resources[0];
    const t = Date.parse(rec.timestamp);
    const iso = (ms: number) => new Date(ms).toISOString();
    const at = await orgPage({ startTime: rec.timestamp, endTime: iso(t + 1), pageSize: 10 });
    expect(at.resources.map((r) => r.id)).toContain(rec.id);
    const before = await orgPage({ startTime: iso(t - 60_000), endTime: rec.timestamp, pageSize: 1000 });
    expect(before.resources.map((r) => r.id)).not.toContain(rec.id);
    expect((await orgPage({ startTime: rec.timestamp, endTime: rec.timestamp })).totalResults).toBe(0);
    const day = await orgPage({ startTime: '2026-03-02', endTime: '2026-03-03', pageSize: 1000 });
    expect(day.totalResults).toBeGreaterThan(0);
    expect(day.resources.every((r) => r.timestamp.startsWith('2026-03-02'))).toBe(true);
    const offset = await raw(
      orgPath(),
      'startTime=2026-03-02T10:00:00%2B10:00&endTime=2026-03-03T10:00:00%2B10:00&pageSize=1',
      creds().organisationManagementApiKey,
    );
    expect(offset.body.totalResults).toBe(day.totalResults);
    const all = await orgPage({ pageSize: 1, endTime: PINNED });
    const old = await orgPage({ pageSize: 1, endTime: PINNED, startTime: '2020-01-01T00:00:00.000Z' });
    expect(old.totalResults).toBe(all.totalResults);
    const oldest = (await orgPage({ pageSize: 1, startIndex: all.totalResults - 1, endTime: PINNED })).resources[0];
    expect(Date.parse(oldest.timestamp)).toBeGreaterThanOrEqual(Date.parse(FROZEN_NOW) - 365 * DAY);
    expect(Date.parse(oldest.timestamp)).toBeLessThan(Date.parse(FROZEN_NOW) - 360 * DAY);
  });

  it('Instaclustr Support actions appear alongside customers and are marked', async () => {
    const recs = await everything({ startTime: '2026-01-01T00:00:00Z' });
    const support = recs.filter((r) => r.performedByInstaclustrSupport);
    expect(support.length).toBeGreaterThan(10);
    expect(support.length / recs.length).toBeLessThan(0.1);
    expect(support.every((r) => r.userName.endsWith('@instaclustr.com'))).toBe(true);
    expect(recs.filter((r) => !r.performedByInstaclustrSupport).every((r) => !r.userName.endsWith('@instaclustr.com'))).toBe(true);
    expect(recs.filter((r) => r.action.startsWith('ADMIN_')).every((r) => r.performedByInstaclustrSupport)).toBe(true);
  });

  it('coherent targets: deleted clusters were created earlier and acted on only while alive; revoked keys were generated earlier', async () => {
    const recs = (await everything()).reverse();
    const created = new Map<string, number>();
    const deleted = new Map<string, number>();
    for (const r of recs) {
      if (r.action === 'CREATE_CLUSTER') created.set(r.domainId!, Date.parse(r.timestamp));
      if (r.action === 'DELETE_CLUSTER') deleted.set(r.domainId!, Date.parse(r.timestamp));
    }
    expect(created.size).toBeGreaterThan(5);
    expect(deleted.size).toBeGreaterThan(5);
    let paired = 0;
    for (const [id, t] of deleted) {
      if (created.has(id)) {
        expect(created.get(id)!).toBeLessThan(t);
        paired++;
      }
    }
    expect(paired).toBeGreaterThan(3);
    for (const r of recs) {
      if (r.domainType !== 'CLUSTER' || !r.domainId) continue;
      const t = Date.parse(r.timestamp);
      if (created.has(r.domainId)) expect(t).toBeGreaterThanOrEqual(created.get(r.domainId)!);
      if (deleted.has(r.domainId) && r.action !== 'DELETE_CLUSTER') expect(t).toBeLessThan(deleted.get(r.domainId)!);
    }
    const gen = new Map<string, UserAction>();
    let revokedPairs = 0;
    for (const r of recs) {
      if (r.action.endsWith('_GENERATE_API_KEY')) gen.set(r.domainId!, r);
      if (r.action.endsWith('_REVOKE_API_KEY') && gen.has(r.domainId!)) {
        const g = gen.get(r.domainId!)!;
        expect(Date.parse(g.timestamp)).toBeLessThan(Date.parse(r.timestamp));
        expect(g.description.replace('generated', 'revoked')).toBe(r.description);
        revokedPairs++;
      }
    }
    expect(revokedPairs).toBeGreaterThan(5);
  });

  it('a catalogue of 106 kinds (65 documented) with realistic frequency', async () => {
    expect(ACTION_KINDS).toHaveLength(106);
    expect(ACTION_KINDS.filter((a) => a.documented)).toHaveLength(65);
    const counts = (await orgPage({ pageSize: 1, endTime: PINNED })).actionCounts!;
    expect(Object.keys(counts).length).toBeGreaterThan(80);
    expect(counts.CHANGE_CLUSTER_SETTINGS).toBeGreaterThan(10 * counts.DELETE_CLUSTER);
    const total = Object.values(counts).reduce((a, n) => a + n, 0);
    expect(total / 365).toBeGreaterThan(10);
    expect(total / 365).toBeLessThan(100);
  });
});

describe('Instaclustr user actions: the failure ladder', () => {
  const expectError = (r: request.Response, status: number, name: string, message: string) => {
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ name, message });
  };
  it('1: missing or malformed Basic credentials → 401 with WWW-Authenticate', async () => {
    const b = request(base());
    for (const header of [undefined, 'Bearer abc', 'Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`]) {
      const req = b.get(ACCOUNT_USER_ACTIONS_PATH);
      const r = header ? await req.set('Authorization', header) : await req;
      expectError(r, 401, 'Unauthorized', 'Missing or malformed Basic credentials');
      expect(r.headers['www-authenticate']).toBe('Basic realm="instaclustr"');
    }
  });
  it('2-3: unknown user, wrong key, revoked key, wrong-case username → the same 401', async () => {
    const c = creds();
    for (const [user, key] of [
      ['nobody@example.com', c.provisioningApiKey],
      [c.username, 'f'.repeat(32)],
      [c.username, c.revokedApiKey],
      [c.username.toUpperCase(), c.provisioningApiKey],
    ]) {
      const r = await raw(ACCOUNT_USER_ACTIONS_PATH, '', key, user);
      expectError(r, 401, 'Unauthorized', 'Invalid username or API key');
      expect(r.headers['www-authenticate']).toBe('Basic realm="instaclustr"');
    }
  });
  it('4: a key whose allow-list excludes the caller → 401', async () => {
    expectError(await raw(ACCOUNT_USER_ACTIONS_PATH, '', creds().restrictedApiKey), 401, 'Unauthorized', 'Request address is not permitted for this API key');
  });
  it('6: a valid key of the wrong type → 403, before parameter checks', async () => {
    const c = creds();
    const msg = 'This API key type cannot access this endpoint';
    expectError(await raw(ACCOUNT_USER_ACTIONS_PATH, 'pageSize=0', c.monitoringApiKey), 403, 'Forbidden', msg);
    expectError(await raw(ACCOUNT_USER_ACTIONS_PATH, '', c.organisationManagementApiKey), 403, 'Forbidden', msg);
    expectError(await raw(orgPath(), '', c.provisioningApiKey), 403, 'Forbidden', msg);
    expectError(await raw(orgPath(), '', c.readOnlyProvisioningApiKey), 403, 'Forbidden', msg);
    expectError(await raw(organisationUserActionsPath(c.foreignOrganisationId), '', c.provisioningApiKey), 403, 'Forbidden', msg);
  });
  it('7: another or an unknown organisation → 404 Invalid organization id, before parameter checks', async () => {
    const c = creds();
    for (const id of [c.foreignOrganisationId, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expectError(await raw(organisationUserActionsPath(id), 'pageSize=0', c.organisationManagementApiKey), 404, 'Not Found', 'Invalid organization id');
    }
    expect((await raw(organisationUserActionsPath(c.organisationId.toUpperCase()), '', c.organisationManagementApiKey)).status).toBe(200);
  });
  it('unknown paths, trailing slashes, other case → 404; other methods → 405 with Allow: GET', async () => {
    const c = creds();
    for (const p of ['/nope', `${ACCOUNT_USER_ACTIONS_PATH}/`, ACCOUNT_USER_ACTIONS_PATH.toUpperCase(), `/v1/organizations/${c.organisationId}/user-actions`]) {
      expectError(await raw(p, ''), 404, 'Not Found', 'Resource not found');
    }
    for (const method of ['post', 'put', 'delete', 'patch'] as const) {
      const r = await request(base())[method](ACCOUNT_USER_ACTIONS_PATH).set('Authorization', basicAuth(c.username, c.provisioningApiKey));
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('GET');
      expect(r.body.name).toBe('Method Not Allowed');
    }
    expect((await request(base()).post(orgPath())).status).toBe(405);
  });
});

describe('Instaclustr user actions: bad input → 400 ErrorListResponseV2, never a 5xx', () => {
  const cases: Array<[string, Array<[string, string]>]> = [
    ['pageSize=abc', [['pageSize', 'pageSize must be an integer between 1 and 1000']]],
    ['pageSize=0', [['pageSize', 'pageSize must be an integer between 1 and 1000']]],
    ['pageSize=1001', [['pageSize', 'pageSize must be an integer between 1 and 1000']]],
    ['pageSize=-1', [['pageSize', 'pageSize must be an integer between 1 and 1000']]],
    ['pageSize=2.5', [['pageSize', 'pageSize must be an integer between 1 and 1000']]],
    ['pageSize=', [['pageSize', 'pageSize must be an integer between 1 and 1000']]],
    ['pageSize=5&pageSize=6', [['pageSize', 'pageSize must be given only once']]],
    ['startIndex=-1', [['startIndex', 'startIndex must be a non-negative integer']]],
    ['startIndex=first', [['startIndex', 'startIndex must be a non-negative integer']]],
    ['crudOperations=CREATE,FOO', [['crudOperations', 'Invalid value: FOO']]],
    ['crudOperations=read', [['crudOperations', 'Invalid value: read']]],
    ['getActionCounts=yes', [['getActionCounts', 'getActionCounts must be true or false']]],
    ['getActionCounts=true&getActionCounts=false', [['getActionCounts', 'getActionCounts must be given only once']]],
    ['organisationLogsOnly=1', [['organisationLogsOnly', 'organisationLogsOnly must be true or false']]],
    ['accountLogsOnly=', [['accountLogsOnly', 'accountLogsOnly must be true or false']]],
    ['organisationLogsOnly=true&accountLogsOnly=true', [['accountLogsOnly', 'organisationLogsOnly and accountLogsOnly cannot both be true']]],
    ['startTime=yesterday', [['startTime', 'startTime must be an ISO-8601 date-time such as 2024-07-01T03:21:09Z, or a date such as 2024-07-01']]],
    ['startTime=2026-02-30', [['startTime', 'startTime must be an ISO-8601 date-time such as 2024-07-01T03:21:09Z, or a date such as 2024-07-01']]],
    ['endTime=2026-03-01T25:00:00Z', [['endTime', 'endTime must be an ISO-8601 date-time such as 2024-07-01T03:21:09Z, or a date such as 2024-07-01']]],
    ['startTime=2026-03-02&endTime=2026-03-01', [['startTime', 'startTime must not be after endTime']]],
    [
      'endTime=bad&pageSize=0&crudOperations=X&getActionCounts=2',
      [
        ['pageSize', 'pageSize must be an integer between 1 and 1000'],
        ['crudOperations', 'Invalid value: X'],
        ['getActionCounts', 'getActionCounts must be true or false'],
        ['endTime', 'endTime must be an ISO-8601 date-time such as 2024-07-01T03:21:09Z, or a date such as 2024-07-01'],
      ],
    ],
  ];
  it.each(cases)('organisation endpoint: %s', async (q, errors) => {
    const r = await raw(orgPath(), q, creds().organisationManagementApiKey);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ errors: errors.map(([name, message]) => ({ name, message })) });
  });
  it('account endpoint: the shared parameters fail the same way', async () => {
    for (const [q, errors] of cases.filter(([q]) => !/LogsOnly/.test(q))) {
      const r = await raw(ACCOUNT_USER_ACTIONS_PATH, q);
      expect(r.status, q).toBe(400);
      expect(r.body).toEqual({ errors: errors.map(([name, message]) => ({ name, message })) });
    }
  });
  it('garbage of every kind never yields a 5xx', async () => {
    const junk = [
      '%',
      '%ZZ',
      'pageSize=%00',
      'startIndex=99999999999999999999999',
      'actionKinds=%F0%9F%92%A5',
      'userName=' + 'a'.repeat(5000),
      '&&&',
      'startTime=2026-03-01T00:00:00 10:00',
    ];
    for (const q of junk) {
      const r = await raw(orgPath(), q, creds().organisationManagementApiKey);
      expect(r.status, q).toBeLessThan(500);
    }
  });
});

describe('Instaclustr user actions: visibility on the emulator clock', () => {
  it('a new record shows at the next 20-second step; reads record nothing', async () => {
    const emu = env.get();
    const rt = emu.runtimes.get('instaclustr')!;
    const now = Date.parse(FROZEN_NOW);
    const res = rt.inject({ action: 'CHANGE_CLUSTER_SETTINGS', timestamp: new Date(now + 5_000).toISOString(), userName: 'visibility@probe.example' });
    expect(res.ok).toBe(true);
    const probe = () => orgPage({ userName: ['visibility@probe.example'] }).then((b) => b.totalResults);
    try {
      emu.setClock({ set: now + 10_000 });
      expect(await probe()).toBe(0);
      emu.setClock({ set: now + 19_999 });
      expect(await probe()).toBe(0);
      emu.setClock({ set: now + 20_000 });
      expect(await probe()).toBe(1);
      const rec = (await orgPage({ userName: ['visibility@probe.example'] })).resources[0];
      expect(rec.crudOperation).toBe('UPDATE');
      expect(rec.accountId).toBe(creds().accountId);
      expect(rec.performedByInstaclustrSupport).toBe(false);
    } finally {
      emu.setClock({ set: now });
    }
    const a = await orgPage({ pageSize: 5 });
    const b = await orgPage({ pageSize: 5 });
    expect(b).toEqual(a);
  });
});
