// Each feed's truth (GET /_emulator/providers/{vendor}/truth) is exactly what paging the vendor's
// own API with its typed client collects over the same window: same records, same wire shape,
// newest first. Injected and recorded records are part of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithTruth, verifyCollected } from '../../contracts/index.js';
import { CrusoeClient } from '../../contracts/crusoe/client.js';
import { InstaclustrClient } from '../../contracts/instaclustr/client.js';
import { K2Client, K2Console } from '../../contracts/k2/client.js';
import { OctopaiClient } from '../../contracts/octopai/client.js';
import { OpseraClient } from '../../contracts/opsera/client.js';
import { feedOf } from '../../contracts/verify.js';
import { startEmulator, type Emulator } from '../../servers/index.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';
import { archiveRecords } from '../../servers/k2/delivery.js';

const env = useEmulator({ now: FROZEN_NOW });
const HOUR = 3_600_000;
const NOW = Date.parse(FROZEN_NOW);
const FROM = new Date(NOW - 6 * HOUR).toISOString();
const TO = FROZEN_NOW;

const creds = (v: string) => env.get().providers[v].credentials as Record<string, any>;
const base = (v: string) => env.get().providers[v].baseUrl;

async function control(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const r = await fetch(env.get().controlUrl + path, { ...init, headers: init.body ? { 'content-type': 'application/json' } : {} });
  return { status: r.status, body: await r.json() };
}

async function truth(vendor: string, feed: string | undefined, from = FROM, to = TO, asOf = to): Promise<any[]> {
  const q = new URLSearchParams({ ...(feed ? { feed } : {}), from, to });
  const r = await control(`/_emulator/providers/${vendor}/truth?${q}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body).toMatchObject({ vendor, from: new Date(from).toISOString(), to: new Date(to).toISOString(), asOf, count: r.body.records.length });
  return r.body.records;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('truth equals what the vendor API returns', () => {
  it('crusoe audit-logs: every page of the window, and one injected record', async () => {
    const c = creds('crusoe');
    const at = new Date(NOW - HOUR).toISOString();
    const inj = await control('/_emulator/providers/crusoe/events', { method: 'POST', body: JSON.stringify(crusoeRecord(at)) });
    expect(inj.status, JSON.stringify(inj.body)).toBe(201);
    const client = new CrusoeClient({ baseUrl: base('crusoe'), accessKeyId: c.accessKeyId, secretKey: c.secretKey, organizationId: c.organizationId });
    const api = await collect(client.entries({ start_time: FROM, end_time: TO, limit: 1000 } as any));
    const t = await truth('crusoe', undefined);
    expect(t.length).toBeGreaterThan(1);
    expect(t).toEqual(api);
    expect(t.some((r) => r.start_time === at && r.action === 'Delete')).toBe(true);
  });

  it('instaclustr account and organisation', async () => {
    const c = creds('instaclustr');
    const client = new InstaclustrClient({
      baseUrl: base('instaclustr'),
      username: c.username,
      apiKey: c.provisioningApiKey,
      organisationApiKey: c.organisationManagementApiKey,
    });
    const walk = async (get: (q: any) => Promise<any>) => {
      const out: unknown[] = [];
      for (let start = 0; ; start += 1000) {
        const r = await get({ startTime: FROM, endTime: new Date(NOW + 1).toISOString(), pageSize: 1000, startIndex: start });
        expect(r.status).toBe(200);
        out.push(...r.body.resources);
        if (start + 1000 >= r.body.totalResults) return out;
      }
    };
    const account = await walk((q) => client.getAccountUserActions(q));
    const organisation = await walk((q) => client.getOrganisationUserActions(c.organisationId, q));
    expect(account.length).toBeGreaterThan(0);
    expect(organisation.length).toBeGreaterThan(account.length);
    expect(await truth('instaclustr', 'account')).toEqual(account);
    expect(await truth('instaclustr', 'organisation')).toEqual(organisation);
  });

  it('octopai user-events, the Login it records included', async () => {
    const c = creds('octopai');
    const client = new OctopaiClient({ baseUrl: base('octopai'), userName: c.userName, password: c.password });
    const api = await collect(client.allEvents({ startDate: FROM, endDate: TO, pageSize: 100 }));
    expect(api.some((e) => e.eventType === 'Login')).toBe(true);
    expect(await truth('octopai', 'user-events')).toEqual(api);
  });

  it('opsera actions and tokens', async () => {
    const c = creds('opsera');
    const client = new OpseraClient({ baseUrl: base('opsera'), token: c.tokens.api });
    const inWindow = (t: string) => Date.parse(t) >= Date.parse(FROM) && Date.parse(t) <= NOW;
    const day = FROM.slice(0, 10);
    const actions = await client.getUserActions({ date: day, count: '1000' });
    const tokens = await client.getTokenUsage({ date: day, count: '1000' });
    expect(actions.ok && tokens.ok).toBe(true);
    if (!actions.ok || !tokens.ok) return;
    expect(actions.body.count).toBeLessThan(1000);
    const a = actions.body.data.filter((r) => inWindow(r.createdAt));
    const t = tokens.body.data.filter((r) => inWindow(r.createdAt));
    expect(a.length).toBeGreaterThan(0);
    expect(await truth('opsera', 'actions')).toEqual(a);
    expect(await truth('opsera', 'tokens')).toEqual(t);
  });

  it('k2 lookup-events and trail-archives', async () => {
    const c = creds('k2');
    const client = new K2Client({ baseUrl: base('k2'), ...(c as any) });
    const api = await collect(client.events({ StartTime: FROM, EndTime: TO, MaxResults: 50 } as any));
    // The truth is taken after the walk: the LookupEvents calls are recorded events too.
    const lookups = await truth('k2', 'lookup-events');
    expect(lookups.length).toBeGreaterThan(api.length);
    const ids = new Set(api.map((e: any) => e.EventId));
    expect(lookups.filter((e) => ids.has(e.EventId))).toEqual(api);

    const trail = { Name: 'truth-trail', S3BucketName: `${c.customer}-activity-log` };
    for (const [op, body] of [
      ['CreateTrail', trail],
      ['StartLogging', { Name: trail.Name }],
    ] as const) {
      const r = await client.raw(op, JSON.stringify(body), { targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    expect((await control('/_emulator/clock', { method: 'POST', body: JSON.stringify({ advance: 'PT31M' }) })).status).toBe(200);
    const now = new Date(NOW + 31 * 60_000).toISOString();
    const list = await (await client.s3('GET', `/${trail.S3BucketName}`, { 'list-type': '2' })).text();
    const keys = [...list.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThanOrEqual(5);
    const records: any[] = [];
    for (const key of keys)
      records.push(...(await archiveRecords(new Uint8Array(await (await client.s3('GET', `/${trail.S3BucketName}/${key}`)).arrayBuffer()))));
    // The archives delivered by now end at the last boundary; the period under way follows.
    const boundary = NOW + 30 * 60_000;
    const archived = await truth('k2', 'trail-archives', FROM, new Date(boundary - 1).toISOString(), now);
    const byId = (xs: any[]) => [...xs].sort((x, y) => (x.eventID < y.eventID ? -1 : 1));
    expect(byId(archived)).toEqual(byId(records));
    expect(archived.map((r) => r.eventTime)).toEqual(
      records
        .map((r) => r.eventTime)
        .sort()
        .reverse(),
    );
    // Up to now, the truth also holds what the trail will deliver for the period under way: the reads just made among it.
    const all = await truth('k2', 'trail-archives', FROM, now);
    const under = all.slice(0, all.length - archived.length);
    expect(all.slice(under.length)).toEqual(archived);
    expect(under.every((r) => Date.parse(r.eventTime) >= boundary)).toBe(true);
    expect(under.filter((r) => r.eventName === 'GetObject')).toHaveLength(keys.length);
  });
});

describe('k2 trail-archives truth holds the periods under way as delivery will write them', () => {
  const MIN = 60_000;
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ portBase: 0, now: FROZEN_NOW, only: ['k2'], validateResponses: true });
  });
  afterAll(async () => {
    await emu.close();
    expect(emu.violations, 'responses that do not conform to their OpenAPI spec').toEqual([]);
  });
  const c = () => emu.providers.k2.credentials as Record<string, any>;
  const client = () => new K2Client({ baseUrl: emu.providers.k2.baseUrl, ...(c() as any) });
  const bucket = () => `${c().customer}-activity-log`;
  const iso = (ms: number) => new Date(ms).toISOString();
  const at = (ms: number) => emu.setClock({ set: iso(ms) });

  async function call(op: string, input: object): Promise<string> {
    const r = await client().raw(op, JSON.stringify(input), { targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101' });
    expect(r.status, `${op} ${JSON.stringify(r.body)}`).toBe(200);
    return r.response.headers.get('x-amzn-requestid')!;
  }

  async function inject(records: object[]): Promise<void> {
    const r = await fetch(`${emu.controlUrl}/_emulator/providers/k2/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(records),
    });
    expect(r.status).toBe(201);
  }

  const instance = (ms: number, name: string) => ({
    eventTime: iso(ms),
    eventName: 'RunInstances',
    project: 'web-prod',
    requestParameters: { instanceName: name },
  });
  const named = (records: any[], name: string) => records.filter((r) => r.requestParameters?.instanceName === name);

  async function archiveTruth(from: number, to: number): Promise<any[]> {
    const r = await fetch(`${emu.controlUrl}/_emulator/providers/k2/truth?${new URLSearchParams({ feed: 'trail-archives', from: iso(from), to: iso(to) })}`);
    const body = (await r.json()) as { records: any[]; asOf: string };
    expect(r.status, JSON.stringify(body)).toBe(200);
    return body.records;
  }

  /** What a collector gets from the bucket: every archive's records within [from, to]. */
  async function collected(from: number, to: number): Promise<any[]> {
    const list = await (await client().s3('GET', `/${bucket()}`, { 'list-type': '2' })).text();
    const out: any[] = [];
    for (const [, key] of list.matchAll(/<Key>([^<]+)<\/Key>/g)) {
      out.push(...(await archiveRecords(new Uint8Array(await (await client().s3('GET', `/${bucket()}/${key}`)).arrayBuffer()))));
    }
    return out.filter((r) => Date.parse(r.eventTime) >= from && Date.parse(r.eventTime) <= to);
  }

  const byId = (xs: any[]) => [...xs].sort((x, y) => (x.eventID < y.eventID ? -1 : x.eventID > y.eventID ? 1 : 0));

  it('taken before the period is delivered, equals what the archives hold once it is, and verify finds nothing amiss', async () => {
    const p0 = Date.parse(FROZEN_NOW);
    await call('CreateTrail', { Name: 'early', S3BucketName: bucket() });
    await call('StartLogging', { Name: 'early' });
    await inject([instance(p0 + 11 * MIN, 'i-under-way')]);
    at(p0 + 12 * MIN + 30_000);
    const status = await call('GetTrailStatus', { Name: 'early' });
    // Two periods delivered; the one from p0 + 10 min is under way and in no archive yet.
    const before = await collected(p0, p0 + 12 * MIN + 30_000);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((r) => Date.parse(r.eventTime) < p0 + 10 * MIN)).toBe(true);

    const from = p0;
    const to = p0 + 12 * MIN + 30_000;
    const early = await archiveTruth(from, to);
    const underWay = early.filter((r) => Date.parse(r.eventTime) >= p0 + 10 * MIN);
    expect(underWay.length).toBeGreaterThan(0);
    expect(named(underWay, 'i-under-way')).toHaveLength(1);
    expect(underWay.map((r) => r.requestID)).toContain(status);
    // The reads of the bucket just made are recorded calls of the period under way too.
    expect(underWay.filter((r) => r.eventName === 'GetObject').length).toBeGreaterThan(0);
    expect(byId(early.filter((r) => Date.parse(r.eventTime) < p0 + 10 * MIN))).toEqual(byId(before));

    at(p0 + 15 * MIN);
    const after = await collected(from, to);
    expect(after.length).toBe(early.length);
    expect(byId(after)).toEqual(byId(early));
    expect(await archiveTruth(from, to)).toEqual(early);
    const report = await verifyCollected({ vendor: 'k2', feed: 'trail-archives', from: iso(from), to: iso(to), control: emu.controlUrl, records: after });
    expect(report).toMatchObject({ ok: true, expected: early.length, collected: early.length });
    expect([report.missing.count, report.duplicated.count, report.changed.count, report.unexpected.count]).toEqual([0, 0, 0, 0]);
    const againstEarly = compareWithTruth(feedOf('k2', 'trail-archives').hooks, early, after);
    expect([againstEarly.missing.count, againstEarly.duplicated.count, againstEarly.changed.count, againstEarly.unexpected.count]).toEqual([0, 0, 0, 0]);
  });

  it('holds a record once per trail that logged it, and nothing logged while no trail ran', async () => {
    const p = Date.parse(FROZEN_NOW) + 20 * MIN;
    at(p + 30_000);
    await call('CreateTrail', { Name: 'stopper', S3BucketName: bucket(), S3KeyPrefix: 'stopper' });
    await call('StartLogging', { Name: 'stopper' });
    await inject([instance(p + MIN, 'i-both'), instance(p + 3 * MIN, 'i-one'), instance(p + 4 * MIN, 'i-none')]);
    at(p + 2 * MIN);
    await call('StopLogging', { Name: 'stopper' });
    at(p + 3 * MIN + 30_000);
    const lastStop = await call('StopLogging', { Name: 'early' });
    at(p + 4 * MIN + 30_000);

    const from = p;
    const to = p + 4 * MIN + 30_000;
    const early = await archiveTruth(from, to);
    expect(named(early, 'i-both')).toHaveLength(2);
    expect(named(early, 'i-one')).toHaveLength(1);
    expect(named(early, 'i-none')).toHaveLength(0);
    expect(early.filter((r) => r.requestID === lastStop)).toHaveLength(1);
    expect(early.every((r) => Date.parse(r.eventTime) <= p + 3 * MIN + 30_000)).toBe(true);

    at(p + 5 * MIN);
    const after = await collected(from, to);
    expect(byId(after)).toEqual(byId(early));
    expect(await archiveTruth(from, to)).toEqual(early);
    // A collector keeps one copy of each record: verify counts none missing, duplicated, changed or invented.
    const once = [...new Map(after.map((r) => [r.eventID, r])).values()];
    const report = await verifyCollected({ vendor: 'k2', feed: 'trail-archives', from: iso(from), to: iso(to), control: emu.controlUrl, records: once });
    expect([report.missing.count, report.duplicated.count, report.changed.count, report.unexpected.count]).toEqual([0, 0, 0, 0]);
    expect(report.ok).toBe(true);
  });

  it("holds none of a trail's period under way while its bucket is gone, as delivery writes none", async () => {
    const p = Date.parse(FROZEN_NOW) + 30 * MIN;
    at(p);
    await call('StartLogging', { Name: 'early' });
    await inject([instance(p + MIN, 'i-bucketless')]);
    const con = new K2Console(emu.providers.k2.baseUrl, c().customer);
    expect((await con.deleteBucket(bucket())).status).toBe(204);
    at(p + 2 * MIN);
    expect(await archiveTruth(p, p + 2 * MIN)).toEqual([]);

    expect((await con.createBucket(bucket())).status).toBe(201);
    const early = await archiveTruth(p, p + 2 * MIN);
    expect(named(early, 'i-bucketless')).toHaveLength(1);
    at(p + 5 * MIN);
    expect(byId(await collected(p, p + 2 * MIN))).toEqual(byId(early));
  });
});

describe('feeds', () => {
  it('each vendor names the same feeds to collectors (its hooks) and to the truth (its instance)', () => {
    const names = Object.fromEntries([...env.get().runtimes].map(([id, rt]) => [id, Object.keys(rt.instance.feeds ?? {})]));
    expect(names).toEqual({
      crusoe: ['audit-logs'],
      instaclustr: ['account', 'organisation'],
      k2: ['lookup-events', 'trail-archives'],
      octopai: ['user-events'],
      opsera: ['actions', 'tokens'],
    });
    for (const [id, rt] of env.get().runtimes) expect(Object.keys(rt.provider.hooks?.feeds ?? {}), id).toEqual(names[id]);
  });
});

describe('truth refusals', () => {
  it('404 for an unknown vendor, 400 for an unknown or missing feed, a late `to` or a reversed window', async () => {
    const q = `from=${FROM}&to=${TO}`;
    expect((await control(`/_emulator/providers/nosuch/truth?${q}`)).status).toBe(404);
    expect((await control(`/_emulator/providers/opsera/truth?${q}`)).body.error).toMatch(/feed.*actions, tokens/);
    expect((await control(`/_emulator/providers/opsera/truth?feed=nope&${q}`)).status).toBe(400);
    const later = new Date(Date.parse((await control('/_emulator/clock')).body.now) + 1000).toISOString();
    expect((await control(`/_emulator/providers/crusoe/truth?from=${FROM}&to=${later}`)).body.error).toMatch(/later than now/);
    expect((await control(`/_emulator/providers/crusoe/truth?from=${TO}&to=${FROM}`)).status).toBe(400);
  });
});

function crusoeRecord(at: string): Record<string, unknown> {
  const actor = { actor_id: '00000000-0000-4000-8000-000000000001', actor_email: 'truth@example.com', actor_type: 'User' };
  return { action: 'Delete', ...actor, client_ip: '192.0.2.1:443', start_time: at, end_time: at, result: 'OK', surface: 'Console' };
}
