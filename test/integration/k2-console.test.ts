import { describe, expect, it } from 'vitest';
import { K2Client, K2Console, type Report } from '../../contracts/k2/client.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW, only: ['k2'] });
type Creds = { accessKeyId: string; secretAccessKey: string; region: string; customer: string; username: string };
const creds = () => env.get().providers.k2.credentials as Creds;
const con = () => new K2Console(env.get().providers.k2.baseUrl, creds().customer);

describe('K2 console: reports, buckets, manifest', () => {
  it('lists buckets in the manifest and through the console, and validates names', async () => {
    const m = env.get().manifest().providers.k2 as unknown as { buckets: string[]; credentials: Creds };
    expect(m.buckets).toEqual([`${creds().customer}-activity-log`, `${creds().customer}-backups`]);
    expect(Object.keys(m.credentials)).toEqual(expect.arrayContaining(['accessKeyId', 'secretAccessKey', 'region', 'nonAdmin']));
    expect((await con().createBucket('new-bucket')).status).toBe(201);
    expect((await con().createBucket('new-bucket')).status).toBe(200);
    expect((await con().createBucket('Bad_Name')).body).toMatchObject({ error: 'InvalidBucketName' });
    expect((env.get().manifest().providers.k2 as unknown as { buckets: string[] }).buckets).toContain('new-bucket');
    expect((await con().deleteBucket('new-bucket')).status).toBe(204);
    expect((await con().deleteBucket('new-bucket')).status).toBe(404);
    const other = new K2Console(env.get().providers.k2.baseUrl, 'someone-else');
    expect((await other.buckets()).status).toBe(404);
  });

  it('generates CSV and JSON reports with K2 limits: 2 generating, 5 kept, 3 days', async () => {
    const a = await con().createReport({ format: 'csv', readOnly: false });
    expect(a.status).toBe(202);
    const ra = a.body as Report;
    expect(ra).toMatchObject({ format: 'csv', status: 'generating', readyAt: null, eventCount: null });
    expect((await con().content(ra.reportId)).status).toBe(409);
    const b = await con().createReport({ format: 'json', username: creds().username, startTime: '2026-03-01T00:00:00Z' });
    expect(b.status).toBe(202);
    const third = await con().createReport({ format: 'json' });
    expect(third).toMatchObject({ status: 409, body: { error: 'TooManyReportsGenerating' } });
    env.get().setClock({ advance: 'PT5S' });
    const done = await con().report(ra.reportId);
    expect(done.body).toMatchObject({ status: 'ready', readyAt: '2026-03-10T10:00:05.000Z' });
    const csv = (await con().content(ra.reportId)).body as string;
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('eventTime,eventName,userName,project,readOnly,eventSource,sourceIPAddress,errorCode,eventID');
    expect(rows.length - 1).toBe((done.body as Report).eventCount);
    expect(rows.slice(1).every((r) => r.split(',')[4] === 'false')).toBe(true);
    const json = (await con().content((b.body as Report).reportId)).body as Array<{ userName: string; eventTime: string }>;
    expect(json.length).toBeGreaterThan(0);
    expect(json.every((r) => r.userName === creds().username)).toBe(true);
    expect(Date.parse(json[0].eventTime)).toBeGreaterThanOrEqual(Date.parse(json[json.length - 1].eventTime));
    // The report includes the API calls the emulator recorded.
    await new K2Client({ baseUrl: env.get().providers.k2.baseUrl, ...creds() }).lookupEvents({ MaxResults: 1 });
    for (let i = 0; i < 4; i++) {
      expect((await con().createReport({ format: 'json', eventName: 'LookupEvents' })).status).toBe(202);
      env.get().setClock({ advance: 'PT10S' });
    }
    const list = (await con().reports()).body.reports;
    expect(list).toHaveLength(5);
    expect(list.some((r) => r.reportId === ra.reportId)).toBe(false);
    expect((await con().report(ra.reportId)).status).toBe(404);
    const newest = list[0];
    expect((await con().content(newest.reportId)).body).toEqual([expect.objectContaining({ eventName: 'LookupEvents' })]);
    env.get().setClock({ advance: 'P3D' });
    expect((await con().reports()).body.reports).toEqual([]);
  });

  it('rejects bad report requests with 400', async () => {
    for (const body of [
      {},
      { format: 'xml' },
      { format: 'csv', startTime: 'yesterday' },
      { format: 'csv', readOnly: 'no' },
      { format: 'csv', extra: 1 },
      { format: 'csv', startTime: '2026-03-10T00:00:00Z', endTime: '2026-03-09T00:00:00Z' },
      '{bad json',
      '[]',
    ]) {
      const r = await con().createReport(body as never);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect((r.body as { error: string }).error).toBe('InvalidParameter');
    }
    expect((await con().subscription(undefined)).status).toBe(200);
  });
});
